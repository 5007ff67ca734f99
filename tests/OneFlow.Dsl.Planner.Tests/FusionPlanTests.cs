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
            Assert.All(plan.Tensors.Where(t => t.Role == TensorRole.Fused), t => Assert.DoesNotContain(plan.Registers, r => r.Tensor == t.Id));
        }

        /// <summary>A value read twice (GELU's input, which its gradient reads again) is stored, so its producer stays
        /// apart; a constant read twice (the loss's seed, a fill repeated over the rows and scaled by 1/64) is made again in
        /// each reader's kernel: the picked logit's gradient, and the gradient through the sum of exponentials (with its
        /// division and the sum of the two gradients).</summary>
        [Fact]
        public void A_value_with_two_readers_is_stored_and_a_constant_is_made_in_each_reader()
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
            var seeded = plan.Ops.Where(o => o.Kind == OpKind.Fused && FusedOp.Attributes(o).Program[0].Code == PointwiseCode.Fill)
                .Select(o => FusedOp.Attributes(o).Program.Select(s => s.Code).ToArray()).OrderBy(p => p.Length).ToList();
            Assert.Equal(2, seeded.Count);
            Assert.Equal(new[] { PointwiseCode.Fill, PointwiseCode.Scale, PointwiseCode.Neg }, seeded[0]);
            Assert.Equal(new[] { PointwiseCode.Fill, PointwiseCode.Scale, PointwiseCode.Div, PointwiseCode.SumExpGrad, PointwiseCode.Add }, seeded[1]);
            Assert.Equal(1.0 / 64, FusedOp.Attributes(plan.Ops.First(o => o.Kind == OpKind.Fused && FusedOp.Attributes(o).Program[0].Code == PointwiseCode.Fill)).Program[1].Constant, 12);
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

        /// <summary>A device's updates are one op: the MLP's four weights, their operands in turn, waiting for every reader
        /// of every weight it changes; unfused, one op per weight.</summary>
        [Fact]
        public void The_updates_of_a_placement_are_one_op_that_waits_for_every_reader()
        {
            var plan = NetworkPlanner.Compile(Mlp(), PlanMode.Train);
            var update = plan.Ops.Single(o => o.Kind == OpKind.SgdUpdate);
            Assert.Equal(4, UpdateOp.Weights(update));
            Assert.Equal(2, UpdateOp.PerWeight(update, update.Inputs.Length));
            Assert.Equal(new[] { "w1", "b1", "w2", "b2" }, new[] { 0, 2, 4, 6 }.Select(i => plan.Tensors[update.Inputs[i]].Name));
            var actor = plan.ActorsOf(update.Id)[0];
            foreach (var weight in new[] { "w1", "w2" })
            {
                int id = plan.Tensors.Single(t => t.Name == weight).Id;
                var readers = plan.Ops.Where(o => o.Id != update.Id && o.Inputs.Contains(id) && o.Output >= 0).Select(o => plan.RegisterOf(o.Output, 0).Id);
                Assert.All(readers, r => Assert.Contains(r, actor.Controls));
            }
            Assert.Equal(4, NetworkPlanner.Compile(Mlp(), PlanMode.Train, fuse: false).Ops.Count(o => o.Kind == OpKind.SgdUpdate));
        }

        private static int FindProducer(Plan.Plan plan, int tensor) => plan.Ops.Single(o => o.Output == tensor).Id;
    }
}
