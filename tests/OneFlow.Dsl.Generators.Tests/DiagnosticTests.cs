using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Mistakes become diagnostics at the span of what is wrong; the generator never throws.</summary>
    public class DiagnosticTests
    {
        private static Diagnostic Single(string source, string id)
        {
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            return Assert.Single(diagnostics, d => d.Id == id);
        }

        private static string Span(string source, Diagnostic d) => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

        [Fact]
        public void Shape_mismatch_is_OF0001_at_the_call_and_names_both_shapes()
        {
            string source = Networks.Mlp.Replace("[Weight(784, 512), Sbp(\"S(1)\")]", "[Weight(512, 784), Sbp(\"S(1)\")]");
            var d = Single(source, "OF0001");
            Assert.Equal("MatMul(x, w1)", Span(source, d));
            Assert.Equal("MatMul: x is [64,784] but w1 is [512,784]; inner dimensions 784 and 512 differ.", d.GetMessage());
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        }

        [Fact]
        public void Bad_sbp_is_OF0001_at_the_weight()
        {
            string source = Networks.Mlp.Replace("Sbp(\"S(1)\")] Tensor w1", "Sbp(\"S(7)\")] Tensor w1");
            var d = Single(source, "OF0001");
            Assert.Equal("w1", Span(source, d));
            Assert.Contains("axis 7 is out of range", d.GetMessage());
        }

        [Fact]
        public void Bad_placement_is_OF0001_at_its_argument()
        {
            string source = Networks.Mlp.Replace("\"cpu:0-3\"", "\"gpu:zero\"");
            var d = Single(source, "OF0001");
            Assert.Equal("\"gpu:zero\"", Span(source, d));
        }

        [Fact]
        public void Branching_in_Forward_is_OF0002_at_the_statement()
        {
            string source = Networks.Mlp.Replace("var h = Relu(", "if (x == null) return x;\n        var h = Relu(");
            var d = Single(source, "OF0002");
            Assert.StartsWith("if (x == null)", Span(source, d));
            Assert.Contains("branching", d.GetMessage());
        }

        [Fact]
        public void Unknown_method_in_Forward_is_OF0002()
        {
            string source = Networks.Mlp.Replace("Relu(MatMul(x, w1) + b1)", "System.Math.Abs(1) == 1 ? x : x");
            Assert.Equal("OF0002", Single(source, "OF0002").Id);
        }

        [Fact]
        public void Class_that_is_not_partial_is_OF0003_from_the_analyzer()
        {
            string source = Networks.Mlp.Replace("public partial class Mlp", "public class Mlp");
            var d = Assert.Single(GeneratorHarness.Analyze(source), x => x.Id == "OF0003");
            Assert.Equal("Mlp", Span(source, d));
            Assert.Empty(GeneratorHarness.Analyze(Networks.Mlp));
        }

        [Fact]
        public void Half_typed_source_gets_diagnostics_not_exceptions()
        {
            string source = Networks.Mlp.Replace("return MatMul(h, w2) + b2;", "return MatMul(h, ");
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }
    }
}
