using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The fusion pass on plans: which ops join, what their values become, and where a group must stop.</summary>
    public class FusionPlanTests
    {
        /// <summary>The MLP's bias and ReLU are one op on each device of the split layer: the pre-activation is never
        /// stored, and asking for it says why and how to keep it.</summary>
        [Fact]
        public void A_bias_and_its_activation_are_one_op_and_their_value_is_never_stored()
        {
            var plan = NetworkPlanner.Compile(Mlp(), PlanMode.Train);
            var h = plan.Tensors.Single(t => t.Name == "h");
            var fused = plan.Ops.Single(o => o.Output == h.Id);
            Assert.Equal(OpKind.Fused, fused.Kind);
            Assert.Equal("Add(0, 1); Relu(2)", FusedOp.Attributes(fused).ToString());
            Assert.Equal(new[] { "t0", "b1" }, fused.Inputs.Select(i => plan.Tensors[i].Name));
            Assert.Equal(new[] { 1 }, FusedOp.Attributes(fused).Inputs[1].Axes);
            Assert.Equal(4, plan.ActorsOf(fused.Id).Count);

            var t1 = plan.Tensors.Single(t => t.Name == "t1");
            Assert.Equal(TensorRole.Fused, t1.Role);
            Assert.DoesNotContain(plan.Registers, r => r.Tensor == t1.Id);
            var e = Assert.Throws<InvalidOperationException>(() => plan.RegisterOf(t1.Id, 0));
            Assert.Equal("t1 is computed inside a fused kernel and never stored; plan with fuse: false to read it.", e.Message);

            var unfused = NetworkPlanner.Compile(Mlp(), PlanMode.Train, fuse: false);
            Assert.Equal(OpKind.Relu, unfused.Ops.Single(o => o.Output == unfused.Tensors.Single(t => t.Name == "h").Id).Kind);
            Assert.Equal(unfused.Ops.Count - plan.Ops.Count, plan.Tensors.Count(t => t.Role == TensorRole.Fused));
        }

        /// <summary>A value read twice (GELU's input, which its gradient reads again) is stored, so its producer stays
        /// apart; a repeat of a reduction's gradient and the scale after it join.</summary>
        [Fact]
        public void A_value_with_two_readers_is_stored_and_a_repeat_joins_its_scale()
        {
            var spec = Mlp(placement: "cpu:0") with
            {
                Forward = Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Gelu", "t1"),
                    Op("t2", "MatMul", "h", "w2"), Op("t3", "Add", "t2", "b2")),
            };
            var plan = NetworkPlanner.Compile(spec, PlanMode.Train);
            var t1 = plan.Tensors.Single(t => t.Name == "t1");
            Assert.Equal(OpKind.Add, plan.Ops[FindProducer(plan, t1.Id)].Kind);
            Assert.Equal(OpKind.Gelu, plan.Ops[FindProducer(plan, plan.Tensors.Single(t => t.Name == "h").Id)].Kind);
            // The loss's seed: a constant repeated over the rows and scaled by 1/64, one op.
            var seed = plan.Ops.Single(o => o.Kind == OpKind.Fused && o.Inputs.Length == 0);
            Assert.Equal(new[] { PointwiseCode.Fill, PointwiseCode.Scale }, FusedOp.Attributes(seed).Program.Select(s => s.Code));
            Assert.Equal(1.0 / 64, FusedOp.Attributes(seed).Program[1].Constant, 12);
        }

        /// <summary>An operand that runs along axes apart in the output (a [2, 1, 4] broadcast over [2, 3, 4]) cannot be read
        /// by one division and remainder: its op is not fused.</summary>
        [Fact]
        public void An_operand_read_along_axes_apart_keeps_its_op_unfused()
        {
            var spec = new NetworkSpec("Apart", 2, "cpu:0", Arr<TensorDecl>(),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(3, 4), null), new TensorDecl("y", DeclKind.Input, Arr(1, 4), null),
                    new TensorDecl("z", DeclKind.Input, Arr(3, 4), null)),
                Arr(Op("s", "Add", "x", "y"), Op("r", "Relu", "s"), Op("out", "Mul", "r", "z")),
                "out", Arr<OpDecl>(), "out");
            var plan = NetworkPlanner.Compile(spec, PlanMode.Infer);
            var add = plan.Ops[FindProducer(plan, plan.Tensors.Single(t => t.Name == "s").Id)];
            Assert.Equal(OpKind.Add, add.Kind);
            var rest = plan.Ops[FindProducer(plan, plan.Output)];
            Assert.Equal("Relu(0); Mul(2, 1)", FusedOp.Attributes(rest).ToString());
            Assert.Equal(new[] { new[] { 0, 1, 2 }, new[] { 0, 1, 2 } }, FusedOp.Attributes(rest).Inputs.Select(i => i.Axes));
        }

        private static int FindProducer(Plan.Plan plan, int tensor) => plan.Ops.Single(o => o.Output == tensor).Id;
    }
}
