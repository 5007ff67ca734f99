using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The SBP signatures of the math ops: which layouts pass through each without moving data.</summary>
    public class OpSignatureTests
    {
        private static string[] Signatures(OpKind kind, double[] args, params Shape[] shapes)
            => Signatures(kind, OpRegistry.Get(kind).FromCall("y", args), shapes);

        private static string[] Signatures(OpKind kind, OpAttributes? attributes, params Shape[] shapes)
        {
            var graph = new LogicalGraph();
            var inputs = shapes.Select((s, i) => graph.AddTensor("t" + i, s, DType.F32, TensorRole.Input).Id).ToArray();
            var op = graph.AddOp(kind, inputs, "y", TensorRole.Activation, "", Placement.Parse("cpu:0-1"), attributes);
            return OpRegistry.Get(kind).Signatures(new SignatureContext(graph, op, 0, 0)).Select(s => s.ToString()).ToArray();
        }

        [Fact]
        public void A_sum_over_a_split_axis_leaves_partial_sums_and_later_splits_move_down_an_axis()
            => Assert.Equal(new[] { "(S(0)) -> S(0)", "(S(1)) -> P", "(S(2)) -> S(1)", "(B) -> B", "(P) -> P" },
                Signatures(OpKind.Sum, new double[] { 1 }, new Shape(4, 6, 8)));

        [Fact]
        public void A_mean_counts_its_axis_from_the_end_when_negative()
            => Assert.Equal(new[] { "(S(0)) -> S(0)", "(S(1)) -> S(1)", "(S(2)) -> P", "(B) -> B", "(P) -> P" },
                Signatures(OpKind.Mean, new double[] { -1 }, new Shape(4, 6, 8)));

        [Fact]
        public void The_gradient_of_a_sum_splits_the_restored_axis_from_a_whole_operand()
            => Assert.Equal(new[] { "(S(0)) -> S(0)", "(B) -> S(1)", "(S(1)) -> S(2)", "(B) -> B", "(P) -> P" },
                Signatures(OpKind.ExpandAxis, new ExpandAxisAttributes(1, 6, 1), new Shape(4, 8)));

        [Fact]
        public void A_partial_numerator_divides_by_a_whole_denominator_but_not_the_reverse()
        {
            var signatures = Signatures(OpKind.Div, new double[0], new Shape(4, 6), new Shape(4, 6));
            Assert.Contains("(P, B) -> P", signatures);
            Assert.DoesNotContain("(B, P) -> P", signatures);
            Assert.DoesNotContain("(P, P) -> P", signatures);
        }

        [Fact]
        public void Adding_a_constant_is_not_linear_but_scaling_is()
        {
            Assert.DoesNotContain("(P) -> P", Signatures(OpKind.AddScalar, new[] { 0.5 }, new Shape(4, 6)));
            Assert.Contains("(P) -> P", Signatures(OpKind.Scale, new[] { 0.5 }, new Shape(4, 6)));
            Assert.Contains("(P) -> P", Signatures(OpKind.Neg, new double[0], new Shape(4, 6)));
            foreach (var kind in new[] { OpKind.Tanh, OpKind.Exp, OpKind.Log, OpKind.Sqrt, OpKind.Abs, OpKind.Square, OpKind.Softplus, OpKind.Reciprocal })
                Assert.Equal(new[] { "(S(0)) -> S(0)", "(S(1)) -> S(1)", "(B) -> B" }, Signatures(kind, new double[0], new Shape(4, 6)));
        }

        [Fact]
        public void An_axis_out_of_range_names_the_range_to_write()
        {
            var graph = new LogicalGraph();
            int x = graph.AddTensor("h", new Shape(4, 6), DType.F32, TensorRole.Input).Id;
            var e = Assert.Throws<PlanException>(() => graph.AddCall(OpKind.Sum, new[] { x }, "s", TensorRole.Activation, "", Placement.Parse("cpu:0"), "s", new double[] { 2 }));
            Assert.Equal("Sum: axis 2 is out of range for h [4,6]; write an axis from -2 to 1.", e.Message);
            Assert.Equal("s", e.Subject);
        }
    }
}
