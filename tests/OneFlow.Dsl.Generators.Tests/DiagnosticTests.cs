using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>One test per diagnostic: its id, severity and exact span; the generator never throws.</summary>
    public class DiagnosticTests
    {
        private static Diagnostic Single(string source, string id)
        {
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            Assert.True(diagnostics.Count(d => d.Id == id) == 1, $"expected one {id}, got: {string.Join("\n", diagnostics.Where(d => d.Id.StartsWith("OF")))}");
            var d = diagnostics.Single(x => x.Id == id);
            Assert.Equal(DiagnosticDescriptors.HelpBase + id + ".md", d.Descriptor.HelpLinkUri);
            return d;
        }

        private static string Span(string source, Diagnostic d) => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

        private static string Mlp(string from, string to)
        {
            Assert.Contains(from, Networks.Mlp);
            return Networks.Mlp.Replace(from, to);
        }

        [Fact]
        public void Valid_networks_have_no_diagnostics()
        {
            foreach (string source in new[] { Networks.Mlp, Networks.Gated, Networks.Losses })
            {
                var (_, diagnostics, _) = GeneratorHarness.Generate(source);
                Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
                Assert.Empty(GeneratorHarness.Analyze(source));
            }
        }

        [Fact]
        public void Every_diagnostic_has_a_help_page_with_a_wrong_and_a_right_example()
        {
            var dir = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
            while (!System.IO.File.Exists(System.IO.Path.Combine(dir!.FullName, "OneFlow.Dsl.sln"))) dir = dir.Parent;
            foreach (var id in DiagnosticDescriptors.ById.Keys)
            {
                string page = System.IO.Path.Combine(dir.FullName, "docs", "diagnostics", id + ".md");
                Assert.True(System.IO.File.Exists(page), $"{page} is missing");
                string text = System.IO.File.ReadAllText(page);
                Assert.Contains("Wrong:", text);
                Assert.Contains("Right:", text);
            }
        }

        [Fact]
        public void OF0001_shape_mismatch_at_the_call_naming_both_shapes()
        {
            string source = Mlp("[Weight(784, 512), Sbp(\"S(1)\")]", "[Weight(512, 784), Sbp(\"S(1)\")]");
            var d = Single(source, "OF0001");
            Assert.Equal("MatMul(x, w1)", Span(source, d));
            Assert.Equal("MatMul: x is [64,784] but w1 is [512,784]; inner dimensions 784 and 512 differ.", d.GetMessage());
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        }

        [Fact]
        public void OF0001_bias_of_the_wrong_length_at_the_addition()
        {
            string source = Mlp("[Weight(10)]", "[Weight(11)]");
            var d = Single(source, "OF0001");
            Assert.Equal("MatMul(h, w2) + b2", Span(source, d));
        }

        [Fact]
        public void OF0002_split_axis_out_of_range_at_the_sbp_argument()
        {
            string source = Mlp("Sbp(\"S(1)\")] Tensor w1", "Sbp(\"S(7)\")] Tensor w1");
            var d = Single(source, "OF0002");
            Assert.Equal("\"S(7)\"", Span(source, d));
            Assert.Contains("axis 7 is out of range for a rank-2 tensor", d.GetMessage());
        }

        [Fact]
        public void OF0003_not_partial_from_the_analyzer_at_the_class_name()
        {
            string source = Mlp("public partial class Mlp", "public class Mlp");
            var d = Assert.Single(GeneratorHarness.Analyze(source), x => x.Id == "OF0003");
            Assert.Equal("Mlp", Span(source, d));
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("Network class 'Mlp' must be declared partial so that the generator can add its plan and entry points", d.GetMessage());
        }

        [Fact]
        public void OF0003_a_module_that_is_not_partial()
        {
            string layer = Networks.Layer.Replace("public partial class Layer", "public class Layer");
            var d = Assert.Single(GeneratorHarness.Analyze(Networks.Stack, layer), x => x.Id == "OF0003");
            Assert.Equal("Layer", Span(layer, d));
            Assert.Equal("Module class 'Layer' must be declared partial so that the generator can add its constructor and weight list", d.GetMessage());
        }

        [Fact]
        public void OF0004_sbp_that_does_not_parse_at_the_argument()
        {
            string source = Mlp("Sbp(\"S(0)\")] Tensor b1", "Sbp(\"split\")] Tensor b1");
            var d = Single(source, "OF0004");
            Assert.Equal("\"split\"", Span(source, d));
            Assert.Contains("write \"S(axis)\", \"B\" or \"P\"", d.GetMessage());
        }

        [Fact]
        public void OF0006_placement_that_does_not_parse_at_the_argument()
        {
            string source = Mlp("\"cpu:0-3\"", "\"gpu:zero\"");
            var d = Single(source, "OF0006");
            Assert.Equal("\"gpu:zero\"", Span(source, d));
        }

        [Fact]
        public void OF0006_placement_on_a_weight_that_does_not_parse_at_its_argument()
        {
            string source = Mlp("[Weight(10)]                    Tensor b2", "[Weight(10), Placement(\"cpu:4-x\")] Tensor b2");
            var d = Single(source, "OF0006");
            Assert.Equal("\"cpu:4-x\"", Span(source, d));
            Assert.StartsWith("b2: ", d.GetMessage());
        }

        [Fact]
        public void OF0015_an_op_reading_weights_on_two_placements_at_the_statement()
        {
            string source = Mlp("[Weight(10)]                    Tensor b2;", "[Weight(10)] Tensor b2; [Weight(10), Placement(\"cpu:4-5\")] Tensor c;")
                .Replace("return MatMul(h, w2) + b2;", "return MatMul(h, w2) + (b2 + c);");
            var d = Single(source, "OF0015");
            Assert.Equal("b2 + c", Span(source, d));
            Assert.Contains("b2 on cpu:0-3 and c on cpu:4-5", d.GetMessage());
        }

        [Fact]
        public void OF0016_a_memory_budget_out_of_reach_at_the_argument_with_the_smallest_peak()
        {
            string source = Mlp("[Network(Batch = 64", "[Network(MemoryBudget = \"64 KB\", Batch = 64");
            var d = Single(source, "OF0016");
            Assert.Equal("MemoryBudget = \"64 KB\"", Span(source, d));
            Assert.Contains("over its memory budget of 65,536", d.GetMessage());
            Assert.Contains("needs modules", d.GetMessage());
        }

        [Fact]
        public void OF0013_a_memory_budget_that_is_not_a_size()
        {
            string source = Mlp("[Network(Batch = 64", "[Network(MemoryBudget = \"lots\", Batch = 64");
            var d = Single(source, "OF0013");
            Assert.Contains("MemoryBudget \"lots\" is not a size", d.GetMessage());
        }

        [Fact]
        public void OF0007_uneven_split_is_a_warning_at_the_sbp()
        {
            string source = Mlp("\"cpu:0-3\"", "\"cpu:0-2\"").Replace("Sbp(\"S(0)\")] Tensor b1", "Sbp(\"B\")] Tensor b1")
                .Replace("Sbp(\"S(0)\")] Tensor w2", "Sbp(\"B\")] Tensor w2").Replace("[Input(784), Sbp(\"S(0)\")]", "[Input(784), Sbp(\"B\")]");
            var d = Single(source, "OF0007");
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal("\"S(1)\"", Span(source, d));
            Assert.Contains("512 is not a multiple of 3", d.GetMessage());
        }

        [Fact]
        public void OF0008_split_smaller_than_the_device_count_at_the_sbp()
        {
            string source = Mlp("\"cpu:0-3\"", "\"cpu:0-15\"").Replace("[Weight(10)]                    Tensor b2", "[Weight(10), Sbp(\"S(0)\")] Tensor b2");
            var d = Single(source, "OF0008");
            Assert.Contains("fewer than 16 rows for 16 devices", d.GetMessage());
            Assert.Equal("\"S(0)\"", Span(source, d));
            Assert.True(source.IndexOf("Sbp(\"S(0)\")] Tensor b2", System.StringComparison.Ordinal) < d.Location.SourceSpan.Start);
        }

        [Theory]
        [InlineData("if (x == null) return x;", "if (x == null) return x;", "branching")]
        [InlineData("for (int i = 0; i < 2; i++) { }", "for (int i = 0; i < 2; i++) { }", "loops")]
        [InlineData("try { } finally { }", "try { } finally { }", "try")]
        [InlineData("System.Func<Tensor, Tensor> f = t => t;", "t => t", "lambdas")]
        [InlineData("var z = System.Math.Abs(1);", "System.Math.Abs(1)", "only the ops of OneFlow.Dsl.Ops")]
        [InlineData("var z = x * System.Environment.ProcessorCount;", "System.Environment.ProcessorCount", "a number in arithmetic with a tensor must be a constant")]
        [InlineData("var z = Sum(x, axis: System.Environment.ProcessorCount);", "System.Environment.ProcessorCount", "Sum's axis must be a constant")]
        public void OF0009_unsupported_construct_at_its_span_with_the_reason(string statement, string span, string reason)
        {
            string source = Mlp("var h = Relu(", statement + "\n        var h = Relu(");
            var d = Single(source, "OF0009");
            Assert.Equal(span, Span(source, d));
            Assert.Contains(reason, d.GetMessage());
        }

        [Fact]
        public void A_network_of_repeated_modules_has_no_diagnostics_and_names_weights_by_path()
        {
            var (output, diagnostics, run) = GeneratorHarness.Generate(Networks.Stack, Networks.Layer);
            Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            string generated = string.Join("\n", run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()));
            Assert.Contains("\"layers.3.w\"", generated);
            Assert.Contains("public Layer(int seed, string path)", generated);
            Assert.Contains("gain = global::OneFlow.Dsl.WeightInit.Filled(1, 16);", generated);
        }

        [Fact]
        public void OF0013_a_module_array_without_its_length()
        {
            string source = Networks.Stack.Replace("[Repeat(4), Stages(\"cpu:0-1\", \"cpu:2-3\")] Layer[] layers;", "Layer[] layers;");
            var d = Single(source + "\n" + Networks.Layer, "OF0013");
            Assert.Contains("needs its length as a positive constant: [Repeat(4)]", d.GetMessage());
        }

        [Fact]
        public void OF0009_a_module_array_indexed_by_a_value_known_only_at_run_time()
        {
            string source = Networks.Stack.Replace("foreach (var layer in layers) x = layer.Forward(x);", "x = layers[layers.Length - 1].Forward(x);");
            var d = Single(source + "\n" + Networks.Layer, "OF0009");
            Assert.Equal("layers[layers.Length - 1]", Span(source + "\n" + Networks.Layer, d));
            Assert.Contains("index a module array with a constant from 0 to 3", d.GetMessage());
        }

        [Fact]
        public void OF0013_more_stages_than_modules()
        {
            string source = Networks.Stack.Replace("[Repeat(4), Stages(", "[Repeat(1), Stages(");
            var d = Single(source + "\n" + Networks.Layer, "OF0013");
            Assert.Contains("has 1 module for 2 stages", d.GetMessage());
        }

        [Fact]
        public void Aliasing_a_tensor_local_is_accepted()
        {
            string source = Mlp("using static OneFlow.Dsl.Ops;", "using static OneFlow.Dsl.Ops;\nstatic class Extra { }")
                .Replace("var h = Relu(MatMul(x, w1) + b1);", "var h = Relu(MatMul(x, w1) + b1); Tensor r = h;")
                .Replace("return MatMul(h, w2) + b2;", "return MatMul(r, w2) + b2;");
            var (_, diagnostics, _) = GeneratorHarness.Generate(source);
            Assert.DoesNotContain(diagnostics, x => x.Id == "OF0009");
        }

        [Fact]
        public void OF0010_unused_weight_is_a_warning_at_the_field()
        {
            string source = Mlp("[Weight(10)]                    Tensor b2;", "[Weight(10)]                    Tensor b2;\n    [Weight(3)] Tensor spare;");
            var d = Single(source, "OF0010");
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal("spare", Span(source, d));
        }

        [Fact]
        public void OF0011_missing_Forward_at_the_class_name()
        {
            string source = Mlp("public Tensor Forward(", "public Tensor Backward(");
            var d = Single(source, "OF0011");
            Assert.Equal("Mlp", Span(source, d));
        }

        [Fact]
        public void OF0011_second_Forward_at_its_name()
        {
            string source = Mlp("    public Tensor Forward(", "    public Tensor Forward([Input(784)] Tensor x, [Input(1)] Tensor y) => x;\n    public Tensor Forward(");
            var d = Single(source, "OF0011");
            Assert.Equal("Forward", Span(source, d));
            Assert.True(d.Location.SourceSpan.Start > source.IndexOf("Forward(", System.StringComparison.Ordinal));
        }

        [Fact]
        public void OF0012_input_without_shape_at_the_parameter()
        {
            string source = Mlp("[Input(784), Sbp(\"S(0)\")] Tensor x", "[Sbp(\"S(0)\")] Tensor x");
            var d = Single(source, "OF0012");
            Assert.Equal("x", Span(source, d));
        }

        [Fact]
        public void OF0013_non_positive_dimension_at_the_weight_arguments()
        {
            string source = Mlp("[Weight(512),      Sbp(\"S(0)\")]", "[Weight(0),      Sbp(\"S(0)\")]");
            var d = Single(source, "OF0013");
            Assert.Equal("(0)", Span(source, d));
        }

        [Fact]
        public void OF0013_weight_that_is_not_a_tensor_at_the_field()
        {
            string source = Mlp("[Weight(10)]                    Tensor b2;", "[Weight(10)]                    Tensor b2;\n    [Weight(3)] int count;");
            var d = Single(source, "OF0013");
            Assert.Equal("count", Span(source, d));
        }

        [Fact]
        public void OF0014_loss_that_is_not_a_scalar_at_Loss()
        {
            string source = Mlp("        return MatMul(h, w2) + b2;\n    }", "        return MatMul(h, w2) + b2;\n    }\n    public Tensor Loss(Tensor output, Tensor labels) => output;");
            var d = Single(source, "OF0014");
            Assert.Equal("Loss", Span(source, d));
            Assert.Contains("must be a scalar", d.GetMessage());
        }

        [Fact]
        public void OF0014_loss_expression_that_is_not_a_scalar_at_its_span()
        {
            string source = Mlp("        return MatMul(h, w2) + b2;\n    }", "        return MatMul(h, w2) + b2;\n    }\n    public Tensor Loss(Tensor output, [Input(10)] Tensor target) => Mean(output - target);");
            var d = Single(source, "OF0014");
            Assert.Equal("Mean(output - target)", Span(source, d));
            Assert.Contains("must be a scalar, but this is [64]", d.GetMessage());
        }

        [Fact]
        public void Cascading_errors_are_reported_once()
        {
            string source = Mlp("var h = Relu(MatMul(x, w1) + b1);", "var h = System.Math.Abs(1) == 1 ? x : x;");
            var (_, diagnostics, _) = GeneratorHarness.Generate(source);
            Assert.Single(diagnostics, d => d.Id.StartsWith("OF"));
        }

        [Fact]
        public void Half_typed_source_gets_diagnostics_not_exceptions()
        {
            string source = Mlp("return MatMul(h, w2) + b2;", "return MatMul(h, ");
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }
    }
}
