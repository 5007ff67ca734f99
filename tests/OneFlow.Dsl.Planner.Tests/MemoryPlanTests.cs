using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Testing;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The memory plan reuses bytes, and no execution order the actor engine may pick ever overwrites a
    /// register that is still to be read (control inputs order actors but read nothing).</summary>
    public class MemoryPlanTests
    {
        public static TheoryData<string> Placements() => new TheoryData<string> { "cpu:0", "cpu:0-1", "cpu:0-3", "cpu:0-2" };

        [Theory]
        [MemberData(nameof(Placements))]
        public void Random_execution_orders_never_overwrite_a_live_register(string placement)
        {
            var plan = NetworkPlanner.Compile(Mlp(placement: placement), PlanMode.Train);
            for (int seed = 0; seed < 50; seed++) MemoryReplay.Run(plan, new Random(seed));
        }

        /// <summary>Between processes, one device each, a gradient's all-reduce writes its result over the partial
        /// sums it reduces (which nothing else reads), so MPI reduces in place; no execution order is hurt by it.</summary>
        [Fact]
        public void An_all_reduce_between_processes_reduces_in_place()
        {
            var plan = NetworkPlanner.Compile(Mlp(placement: "4/cpu:0-3", x: "S(0)", w1: "B", b1: "B", w2: "B", b2: "B", batch: 1024), PlanMode.Train);
            var allReduces = plan.Ops.Where(o => o.Collective == Collective.AllReduce).ToList();
            Assert.NotEmpty(allReduces);
            foreach (var a in allReduces.SelectMany(o => plan.ActorsOf(o.Id)))
                Assert.Equal(plan.Registers[a.Inputs[0]].Offset, plan.Registers[a.Output].Offset);
            for (int seed = 0; seed < 20; seed++) MemoryReplay.Run(plan, new Random(seed));
            var inOneProcess = NetworkPlanner.Compile(Mlp(placement: "cpu:0-3", x: "S(0)", w1: "B", b1: "B", w2: "B", b2: "B", batch: 1024), PlanMode.Train);
            Assert.Contains(inOneProcess.Ops.Where(o => o.Collective == Collective.AllReduce).SelectMany(o => inOneProcess.ActorsOf(o.Id)),
                a => inOneProcess.Registers[a.Inputs[0]].Offset != inOneProcess.Registers[a.Output].Offset);
        }

        /// <summary>Of the bytes that are not persistent (weights, the output), a training step needs much less than
        /// their sum at once, and an inference chain less still (every op's output stored, unfused); fusion, which stores
        /// fewer values, never makes it larger.</summary>
        [Theory]
        [InlineData(PlanMode.Train, 0.85)]
        [InlineData(PlanMode.Infer, 0.60)]
        public void Reuse_makes_the_arena_smaller_than_the_sum_of_its_registers(PlanMode mode, double atMost)
        {
            var plan = NetworkPlanner.Compile(Mlp(placement: "cpu:0"), mode, fuse: false);
            Assert.True(NetworkPlanner.Compile(Mlp(placement: "cpu:0"), mode).ArenaBytes[0] <= plan.ArenaBytes[0]);
            long persistent = plan.Registers.Where(r => r.Persistent).Sum(r => r.Bytes);
            long transient = plan.Registers.Sum(r => r.Bytes) - persistent;
            Assert.True(plan.ArenaBytes[0] - persistent <= transient * atMost, $"arena {plan.ArenaBytes[0] - persistent} of {transient} transient bytes");
            Assert.True(plan.ArenaBytes[0] >= persistent);
        }

        /// <summary>With two slots per register a producer may run a piece ahead, so its registers can share bytes
        /// with nothing: every slot gets bytes of its own.</summary>
        [Fact]
        public void Registers_with_several_slots_never_share_bytes()
        {
            var plan = NetworkPlanner.Compile(Mlp(placement: "cpu:0-1"), PlanMode.Train, registerSlots: 2);
            Assert.All(plan.Registers.Where(r => !r.Persistent), r => Assert.Equal(2, r.Slots));
            foreach (var device in plan.Registers.GroupBy(r => r.Device))
            {
                var regs = device.ToList();
                for (int i = 0; i < regs.Count; i++)
                    for (int j = i + 1; j < regs.Count; j++)
                        Assert.False(Overlaps(regs[i], regs[j]), $"{Name(plan, regs[i])} and {Name(plan, regs[j])} share bytes");
                Assert.Equal(regs.Sum(r => r.Bytes), plan.ArenaBytes[device.Key]);
            }
        }

        private static bool Overlaps(Register a, Register b) => a.Offset < b.Offset + b.Bytes && b.Offset < a.Offset + a.Bytes;

        private static string Name(Plan.Plan p, Register r) => $"{p.Tensors[r.Tensor].Name} on device {r.Device}";

        /// <summary>A reshape of a step's value takes that value's bytes and does nothing (a view), on every device of a
        /// split batch, and the value lives until the view's readers are done: replays in any order overwrite nothing.
        /// A reshape of a weight (which an update changes in place) stays a copy.</summary>
        [Theory]
        [InlineData("cpu:0")]
        [InlineData("cpu:0-3")]
        public void A_reshape_of_a_steps_value_is_a_view_of_its_bytes(string placement)
        {
            var spec = new NetworkSpec("Views", 8, placement, Arr(W("w", null, 6, 4)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(24), "S(0)")),
                Arr(Op("r", "Reshape", "x") with { Args = Arr(-1.0, 6, 4) }, Op("h", "Relu", "r"), Op("flat", "Reshape", "h") with { Args = Arr(-1.0, 24) },
                    Op("v", "Reshape", "w") with { Args = Arr(24.0) }, Op("y", "Mul", "flat", "v")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            var plan = NetworkPlanner.Compile(spec, PlanMode.Train);
            var reshapes = plan.Actors.Where(a => plan.Ops[a.Op].Kind == Ops.OpKind.Reshape).ToList();
            bool OfWeight(Actor a) => plan.Tensors[plan.Registers[a.Inputs[0]].Tensor].Role == TensorRole.Weight;
            var ofValues = reshapes.Where(a => !OfWeight(a) && (plan.Ops[a.Op].Origin.StartsWith("r =") || plan.Ops[a.Op].Origin.StartsWith("flat ="))).ToList();
            Assert.Equal(2 * plan.Devices, ofValues.Count);
            Assert.All(ofValues, a => Assert.True(plan.IsView(a), $"{plan.Ops[a.Op].Origin} on device {a.Device} copies"));
            Assert.All(reshapes.Where(OfWeight), a => Assert.False(plan.IsView(a)));
            Assert.Contains(reshapes, OfWeight);
            for (int seed = 0; seed < 30; seed++) MemoryReplay.Run(plan, new Random(seed));
        }
    }
}
