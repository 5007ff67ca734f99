using System.Linq;
using OneFlow.Dsl.Planner.Model;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>A network that cannot be planned gets an error naming what to change, and the thing at fault.</summary>
    public class ErrorTests
    {
        private static PlanException Fails(NetworkSpec spec) => Assert.Throws<PlanException>(() => NetworkPlanner.Compile(spec, PlanMode.Train));

        [Fact]
        public void Shape_mismatch_names_both_operands_and_shapes()
        {
            var spec = Mlp() with { Weights = Arr(W("w1", "S(1)", 512, 784), W("b1", "S(0)", 512), W("w2", "S(0)", 512, 10), W("b2", null, 10)) };
            var e = Fails(spec);
            Assert.Equal("MatMul: x is [64,784] but w1 is [512,784]; inner dimensions 784 and 512 differ.", e.Message);
            Assert.Equal("t0", e.Subject);
            Assert.Equal(PlanErrorKind.ShapeMismatch, e.Kind);
        }

        [Fact]
        public void Bias_of_the_wrong_length()
        {
            var e = Fails(Mlp() with { Weights = Arr(W("w1", "S(1)", 784, 512), W("b1", null, 500), W("w2", "S(0)", 512, 10), W("b2", null, 10)) });
            Assert.Contains("Add: t0 is [64,512] but b1 is [500]", e.Message);
        }

        [Theory]
        [InlineData("S(2)", "axis 2 is out of range for a rank-2 tensor", PlanErrorKind.SbpAxisOutOfRange)]
        [InlineData("Q", "does not parse", PlanErrorKind.SbpSyntax)]
        [InlineData("P", "cannot be declared P", PlanErrorKind.SbpSyntax)]
        public void Bad_sbp_on_a_weight(string sbp, string message, PlanErrorKind kind)
        {
            var e = Fails(Mlp(w1: sbp));
            Assert.Contains(message, e.Message);
            Assert.Equal("w1:sbp", e.Subject);
            Assert.Equal(kind, e.Kind);
        }

        [Fact]
        public void Warnings_for_uneven_splits_and_unused_weights()
        {
            var spec = Mlp(placement: "cpu:0-2", x: "B", b1: "B", w2: "B") with
            {
                Weights = Arr(W("w1", "S(1)", 784, 512), W("b1", "B", 512), W("w2", "B", 512, 10), W("b2", null, 10), W("spare", null, 3)),
            };
            var warnings = NetworkPlanner.Compile(spec, PlanMode.Train).Warnings;
            Assert.Equal(new[] { (PlanWarningKind.UnevenSplit, "w1:sbp"), (PlanWarningKind.UnusedWeight, "spare") },
                warnings.Select(w => (w.Kind, w.Subject)));
        }

        [Theory]
        [InlineData("cpu", "not a placement")]
        [InlineData("tpu:0", "unknown device type")]
        [InlineData("cpu:3-1", "not a device id or a range")]
        [InlineData("cpu:0,0", "names a device twice")]
        [InlineData("2x:cpu", "a mesh is written as rows x columns")]
        [InlineData("2x2:tpu", "unknown device type")]
        public void Bad_placement(string placement, string message)
        {
            var e = Fails(Mlp(placement: placement));
            Assert.Contains(message, e.Message);
            Assert.Equal("Placement", e.Subject);
        }

        [Fact]
        public void Unknown_names_and_ops()
        {
            Assert.Contains("'nope' is neither a weight", Fails(Mlp() with { Forward = Arr(Op("t0", "MatMul", "x", "nope")) }).Message);
            Assert.Contains("'Conv' is not an op", Fails(Mlp() with { Forward = Arr(Op("t0", "Conv", "x", "w1")) }).Message);
        }

        [Fact]
        public void A_split_needs_a_row_per_device()
        {
            var e = Fails(Mlp(placement: "cpu:0-15", w2: "S(1)"));
            Assert.Contains("fewer than 16 rows for 16 devices", e.Message);
        }
    }
}
