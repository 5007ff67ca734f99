using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Compiles sources against OneFlow.Dsl with the generator and the analyzers, as a user's build would,
    /// without touching the network (reference assemblies come from a package).</summary>
    internal static class GeneratorHarness
    {
        private static readonly MetadataReference[] References = Basic.Reference.Assemblies.Net100.References.All
            .Concat(new[] { typeof(Tensor), typeof(Planner.NetworkPlanner), typeof(Runtime.PlanSession) }
                .Select(t => MetadataReference.CreateFromFile(t.Assembly.Location)))
            .ToArray();

        public static CSharpCompilation Compilation(params string[] sources)
            => CSharpCompilation.Create("UserProject",
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Network{i}.cs")),
                References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator; returns the output compilation and every diagnostic of generator and compiler.</summary>
        public static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, GeneratorDriverRunResult Run) Generate(params string[] sources)
        {
            var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out var generatorDiagnostics);
            var all = generatorDiagnostics.AddRange(output.GetDiagnostics());
            return (output, all, driver.GetRunResult());
        }

        /// <summary>What a user's build reports: the generator's diagnostics, then the compiler's and the analyzers'
        /// on the generated compilation, less what the suppressors suppress; warnings and errors only.</summary>
        public static ImmutableArray<Diagnostic> Build(params string[] sources)
        {
            Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out var generatorDiagnostics);
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new Analyzers.PartialNetworkAnalyzer(), new Analyzers.GeneratedFieldSuppressor());
            var rest = output.WithAnalyzers(analyzers).GetAllDiagnosticsAsync().Result;
            return generatorDiagnostics.AddRange(rest).Where(d => !d.IsSuppressed && d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        }

        public static ImmutableArray<Diagnostic> Analyze(params string[] sources)
            => Compilation(sources).WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new Analyzers.PartialNetworkAnalyzer()))
                .GetAnalyzerDiagnosticsAsync().Result;
    }
}
