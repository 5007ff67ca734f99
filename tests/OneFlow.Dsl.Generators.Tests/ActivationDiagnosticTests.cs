using System.Linq;
using OneFlow.Dsl.Planner.Ops;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Mistakes in the constants of activations are reported at the call: a clamp whose bounds cross, and a
    /// word an op does not take (Gelu's approximate), which names the words it does.</summary>
    public class ActivationDiagnosticTests
    {
        private const string Net = @"using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

[Network(Batch = 4)]
[Placement(""cpu:0"")]
public partial class Act
{
    [Weight(6, 8)] Tensor w;

    public Tensor Forward([Input(6)] Tensor x)
    {
        var h = MatMul(x, w);
        return CALL;
    }
}
";

        private static (string Id, string Message, string Span) Only(string call)
        {
            string source = Net.Replace("CALL", call);
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            var d = Assert.Single(diagnostics, x => x.Id.StartsWith("OF"));
            return (d.Id, d.GetMessage(), source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        }

        [Fact]
        public void Clamp_bounds_that_cross_are_a_shape_error_at_the_call()
        {
            var (id, message, span) = Only("Clamp(h, 2, 1)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Clamp(h, 2, 1)", span);
            Assert.Equal("Clamp: the lower bound 2 is above the upper bound 1; give min ≤ max.", message);
        }

        [Fact]
        public void A_linear_weight_in_the_transposed_layout_names_pytorchs()
        {
            var (id, message, span) = Only("Linear(x, w)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Linear(x, w)", span);
            Assert.Equal("Linear: the weight w is [6,8], laid out [in, out] for x [4,6]; Linear takes PyTorch's [out, in]: declare it [Weight(8, 6)].", message);
        }

        [Fact]
        public void A_word_gelu_does_not_take_names_the_ones_it_does()
        {
            var (_, message, span) = Only("Gelu(h, approximate: \"sigmoid\")");
            Assert.Equal("\"sigmoid\"", span);
            Assert.Contains("Gelu's approximate is one of \"none\", \"tanh\", not \"sigmoid\"", message);
        }

        [Fact]
        public void Both_gelu_forms_and_the_activations_plan_without_diagnostics()
        {
            string source = Net.Replace("CALL", "Gelu(h) + Gelu(h, approximate: \"tanh\") + Clamp(h, max: 1) + LeakyRelu(h) + Elu(h) + Hardswish(h) + Pow(h, 2)");
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.Empty(diagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
            string generated = run.GeneratedTrees.Single().ToString();
            // Each Gelu joins the sum after it (a fused group), its form a step of the group's program.
            Assert.Matches($@"codes=[0-9,]*\b{(int)PointwiseCode.Gelu}\b", generated);
            Assert.Matches($@"codes=[0-9,]*\b{(int)PointwiseCode.GeluTanh}\b", generated);
            Assert.Contains("min=-Infinity max=1", generated);
        }
    
        [Fact]
        public void A_float_tensor_as_a_mask_is_refused_at_the_call()
        {
            var (id, message, span) = Only("Where(h, h, h)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Where(h, h, h)", span);
            Assert.Equal("Where: the mask h holds F32; make it with a comparison (Gt, Lt, Ge, Le, Eq, Ne, or x > y).", message);
        }

        [Fact]
        public void A_mask_in_arithmetic_is_refused_at_the_call()
        {
            var (id, message, span) = Only("Relu(h > 0)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Relu(h > 0)", span);
            Assert.Matches("^Relu: .+ is a boolean mask \\(a comparison's\\); masks go to Where or MaskedFill\\.$", message);
        }
    
        [Fact]
        public void Taking_apart_more_parts_than_a_split_gives_is_refused_at_the_split()
        {
            string source = Net.Replace("return CALL;", "var (a, b, c) = Split(h, 4, 1);\n        return a + b + c;");
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            var d = Assert.Single(diagnostics, x => x.Id.StartsWith("OF"));
            Assert.Equal("Split(h, 4, 1)", source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
            Assert.Equal("Split: h [4,8] cut by 4 along axis 1 gives 2 parts, not the 3 taken.", d.GetMessage());
        }
    
        [Fact]
        public void Float_indices_to_gather_are_refused_at_the_call()
        {
            var (id, message, span) = Only("Gather(h, 1, h)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Gather(h, 1, h)", span);
            Assert.Equal("Gather: the indices h must be integers: an [Input(...), Ids] input or ArgMax's positions.", message);
        }

        [Fact]
        public void Stacking_tensors_of_two_shapes_is_refused_at_the_call()
        {
            var (id, message, span) = Only("Stack(new[] { h, x }, 0)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Stack(new[] { h, x }, 0)", span);
            Assert.Equal("Stack: h is [4,8] but x is [4,6]; stacked tensors have one shape.", message);
        }

        [Fact]
        public void A_where_whose_operands_do_not_broadcast_is_refused_at_the_call()
        {
            var (id, message, span) = Only("Where(h > 0, h, x)");
            Assert.Equal("OF0001", id);
            Assert.Equal("Where(h > 0, h, x)", span);
            Assert.EndsWith("h [4,8] and x [4,6] do not broadcast together.", message);
        }
    }
}
