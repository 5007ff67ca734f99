using Microsoft.CodeAnalysis;

namespace OneFlow.Dsl.Generators
{
    /// <summary>The diagnostics of OneFlow.Dsl, one catalog compiled into both the generator and the analyzers;
    /// each id has a page under docs/diagnostics.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "OneFlow.Dsl";

        public static string HelpUri(string id) => $"https://github.com/oneflow-dsl/oneflow-dsl/blob/main/docs/diagnostics/{id}.md";

        /// <summary>The planner rejected the network: a shape, SBP or placement that cannot work.</summary>
        public static readonly DiagnosticDescriptor PlanError = Create("OF0001", "The network cannot be planned", "{0}", DiagnosticSeverity.Error);

        /// <summary>Forward contains C# the static plan cannot express.</summary>
        public static readonly DiagnosticDescriptor UnsupportedConstruct = Create("OF0002", "Forward uses a construct a static plan cannot express", "{0}", DiagnosticSeverity.Error);

        /// <summary>The generator must add members to the class.</summary>
        public static readonly DiagnosticDescriptor NotPartial = Create("OF0003", "A network class must be partial",
            "Network class '{0}' must be declared partial so that the generator can add its plan and entry points", DiagnosticSeverity.Error);

        /// <summary>A bug in the generator, reported instead of crashing the compiler.</summary>
        public static readonly DiagnosticDescriptor InternalError = Create("OF0999", "Internal error in the OneFlow.Dsl generator",
            "The OneFlow.Dsl generator failed on '{0}': {1}. Please report this.", DiagnosticSeverity.Error);

        private static DiagnosticDescriptor Create(string id, string title, string format, DiagnosticSeverity severity)
            => new DiagnosticDescriptor(id, title, format, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpUri(id));
    }
}
