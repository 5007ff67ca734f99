using System.Collections.Immutable;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using OneFlow.Dsl.Analyzers;
using OneFlow.Dsl.Generators;

namespace OneFlow.Dsl.Generators.Benchmarks
{
    /// <summary>What the generator and the analyzers add to a build: a 48-layer network planned from scratch, a
    /// 2,000-line file of ordinary C#, and the incremental re-run after a one-character edit of an unrelated
    /// method (every step must be cached). Targets: &lt; 1 s and &lt; 50 ms.</summary>
    [MemoryDiagnoser]
    public class GeneratorBuildTime
    {
        private static readonly CSharpParseOptions Parse = new CSharpParseOptions(LanguageVersion.Latest);
        private CSharpCompilation _deep = null!, _plain = null!, _both = null!, _edited = null!;
        private GeneratorDriver _warm = null!;

        [GlobalSetup]
        public void Setup()
        {
            var references = Basic.Reference.Assemblies.Net100.References.All
                .Concat(new[] { MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location), MetadataReference.CreateFromFile(typeof(Planner.NetworkPlanner).Assembly.Location) });
            CSharpCompilation Compile(params SyntaxTree[] trees) => CSharpCompilation.Create("Bench", trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var deep = CSharpSyntaxTree.ParseText(DeepNetwork(48), Parse, "Deep.cs");
            var plain = CSharpSyntaxTree.ParseText(PlainFile(2000, 'a'), Parse, "Plain.cs");
            _deep = Compile(deep);
            _plain = Compile(plain);
            _both = Compile(deep, plain);
            _edited = _both.ReplaceSyntaxTree(plain, CSharpSyntaxTree.ParseText(PlainFile(2000, 'b'), Parse, "Plain.cs"));
            _warm = Driver().RunGenerators(_both);
            var run = _warm.GetRunResult();
            if (run.GeneratedTrees.Length != 1 || run.Diagnostics.Any())
                throw new System.InvalidOperationException("The 48-layer network must plan cleanly: " + string.Join("; ", run.Diagnostics));
            var rerun = _warm.RunGenerators(_edited).GetRunResult().Results.Single().TrackedSteps;
            if (rerun.Where(s => s.Key == NetworkGenerator.TrackingNames.Model || s.Key == NetworkGenerator.TrackingNames.Plan)
                    .SelectMany(s => s.Value).SelectMany(s => s.Outputs).Any(o => o.Reason != IncrementalStepRunReason.Cached && o.Reason != IncrementalStepRunReason.Unchanged))
                throw new System.InvalidOperationException("An unrelated edit must leave every step cached.");
        }

        private static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() },
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        [Benchmark(Description = "48-layer network: generator from scratch")]
        public GeneratorDriver DeepNetworkGenerator() => Driver().RunGenerators(_deep);

        [Benchmark(Description = "48-layer network: analyzers")]
        public ImmutableArray<Diagnostic> DeepNetworkAnalyzers() => Analyze(_deep);

        [Benchmark(Description = "2,000 lines, no network: generator")]
        public GeneratorDriver PlainGenerator() => Driver().RunGenerators(_plain);

        [Benchmark(Description = "2,000 lines, no network: analyzers")]
        public ImmutableArray<Diagnostic> PlainAnalyzers() => Analyze(_plain);

        /// <summary>The compiler binding the same file afresh with no analyzer (a clone has empty caches, as the
        /// analyzer run's compilation does): the analyzers' added time is the difference.</summary>
        [Benchmark(Description = "2,000 lines, no network: compiler alone (baseline)")]
        public ImmutableArray<Diagnostic> PlainCompilerBaseline() => _plain.Clone().GetDiagnostics();

        [Benchmark(Description = "one-character edit elsewhere: generator re-run")]
        public GeneratorDriver IncrementalRerun() => _warm.RunGenerators(_edited);

        private static ImmutableArray<Diagnostic> Analyze(Compilation c)
            => c.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new PartialNetworkAnalyzer())).GetAnalyzerDiagnosticsAsync().Result;

        /// <summary>48 blocks of MatMul + bias + Relu, width 64, on four devices with the batch split.</summary>
        public static string DeepNetwork(int layers)
        {
            var s = new StringBuilder("using OneFlow.Dsl;\nusing static OneFlow.Dsl.Ops;\n[Network(Batch = 32)]\n[Placement(\"cpu:0-3\")]\npublic partial class Deep\n{\n");
            for (int i = 0; i < layers; i++) s.Append($"    [Weight(64, 64)] Tensor w{i};\n    [Weight(64)] Tensor b{i};\n");
            s.Append("    public Tensor Forward([Input(64), Sbp(\"S(0)\")] Tensor x)\n    {\n        var h = x;\n");
            for (int i = 0; i < layers; i++) s.Append($"        h = Relu(MatMul(h, w{i}) + b{i});\n");
            s.Append("        return h;\n    }\n}\n");
            return s.ToString();
        }

        /// <summary>Ordinary C#: classes of small methods, one character of which changes between variants.</summary>
        public static string PlainFile(int lines, char variant)
        {
            var s = new StringBuilder("namespace Plain\n{\n");
            int written = 2, n = 0;
            while (written < lines - 1)
            {
                s.Append($"    public class C{n}\n    {{\n");
                for (int m = 0; m < 10; m++) s.Append($"        public int M{m}(int x) {{ var y = x * {m} + {n}; return y > 0 ? y : -y; }}\n");
                s.Append("    }\n");
                written += 13;
                n++;
            }
            s.Append($"    public static class Edited {{ public static string Name() => \"{variant}\"; }}\n}}\n");
            return s.ToString();
        }
    }
}
