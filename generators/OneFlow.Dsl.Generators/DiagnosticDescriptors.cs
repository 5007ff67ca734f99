using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace OneFlow.Dsl.Generators
{
    /// <summary>The diagnostics of OneFlow.Dsl, one catalog compiled into both the generator and the analyzers;
    /// each id has a page under docs/diagnostics with a wrong and a right example.</summary>
    internal static class DiagnosticDescriptors
    {
        public const string HelpBase = "https://github.com/oneflow-dsl/oneflow-dsl/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor ShapeMismatch = Error("OF0001", "Shapes do not fit the op", "OneFlow.Dsl.Shape");
        public static readonly DiagnosticDescriptor SbpAxisOutOfRange = Error("OF0002", "SBP split axis out of range", "OneFlow.Dsl.Sbp");
        public static readonly DiagnosticDescriptor NotPartial = Create("OF0003", "A network or module class must be partial",
            "{1} class '{0}' must be declared partial so that the generator can add its {2}", "OneFlow.Dsl.Declaration", DiagnosticSeverity.Error);
        public static readonly DiagnosticDescriptor SbpSyntax = Error("OF0004", "SBP does not parse", "OneFlow.Dsl.Sbp");
        public static readonly DiagnosticDescriptor NoSignature = Error("OF0005", "No SBP signature and no boxing fit", "OneFlow.Dsl.Sbp");
        public static readonly DiagnosticDescriptor PlacementSyntax = Error("OF0006", "Placement does not parse", "OneFlow.Dsl.Placement");
        public static readonly DiagnosticDescriptor UnevenSplit = Create("OF0007", "Split dimension not divisible by the device count", "{0}", "OneFlow.Dsl.Sbp", DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor SplitTooSmall = Error("OF0008", "Split dimension smaller than the device count", "OneFlow.Dsl.Sbp");
        public static readonly DiagnosticDescriptor UnsupportedConstruct = Error("OF0009", "Forward uses a construct a static plan cannot express", "OneFlow.Dsl.Forward");
        public static readonly DiagnosticDescriptor UnusedWeight = Create("OF0010", "Weight never used", "{0}", "OneFlow.Dsl.Declaration", DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor ForwardMissing = Error("OF0011", "Forward missing or declared twice", "OneFlow.Dsl.Declaration");
        public static readonly DiagnosticDescriptor InputWithoutShape = Error("OF0012", "Input without a shape", "OneFlow.Dsl.Declaration");
        public static readonly DiagnosticDescriptor BadDeclaration = Error("OF0013", "Invalid weight, input or network declaration", "OneFlow.Dsl.Declaration");
        public static readonly DiagnosticDescriptor BadLoss = Error("OF0014", "Invalid loss", "OneFlow.Dsl.Forward");
        public static readonly DiagnosticDescriptor PlacementConflict = Error("OF0015", "An op reads weights on different placements", "OneFlow.Dsl.Placement");
        public static readonly DiagnosticDescriptor MemoryBudget = Error("OF0016", "The memory budget cannot be met", "OneFlow.Dsl.Memory");
        public static readonly DiagnosticDescriptor InternalError = Create("OF0999", "Internal error in the OneFlow.Dsl generator",
            "The OneFlow.Dsl generator failed on '{0}': {1}. Please report this.", "OneFlow.Dsl.Internal", DiagnosticSeverity.Error);

        /// <summary>Every descriptor by id, for turning plain diagnostic data back into diagnostics.</summary>
        public static readonly IReadOnlyDictionary<string, DiagnosticDescriptor> ById = Index(
            ShapeMismatch, SbpAxisOutOfRange, NotPartial, SbpSyntax, NoSignature, PlacementSyntax, UnevenSplit, SplitTooSmall,
            UnsupportedConstruct, UnusedWeight, ForwardMissing, InputWithoutShape, BadDeclaration, BadLoss, PlacementConflict, MemoryBudget, InternalError);

        private static DiagnosticDescriptor Error(string id, string title, string category)
            => Create(id, title, "{0}", category, DiagnosticSeverity.Error);

        private static DiagnosticDescriptor Create(string id, string title, string format, string category, DiagnosticSeverity severity)
            => new DiagnosticDescriptor(id, title, format, category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

        private static IReadOnlyDictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] all)
        {
            var map = new Dictionary<string, DiagnosticDescriptor>();
            foreach (var d in all) map.Add(d.Id, d);
            return map;
        }
    }
}
