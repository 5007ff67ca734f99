using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Passes;
using OneFlow.Dsl.Planner.Plan;
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
            for (int seed = 0; seed < 50; seed++) Simulate(plan, new Random(seed));
        }

        /// <summary>Between processes, one device each, a gradient's all-reduce writes its result over the partial
        /// sums it reduces (which nothing else reads), so MPI reduces in place; no execution order is hurt by it.</summary>
        [Fact]
        public void An_all_reduce_between_processes_reduces_in_place()
        {
            var plan = NetworkPlanner.Compile(Mlp(placement: "4/cpu:0-3", x: "S(0)", w1: "B", b1: "B", w2: "B", b2: "B", batch: 1024), PlanMode.Train);
            var allReduces = plan.Ops.Where(o => o.Boxing == BoxingKind.AllReduce).ToList();
            Assert.NotEmpty(allReduces);
            foreach (var a in allReduces.SelectMany(o => plan.ActorsOf(o.Id)))
                Assert.Equal(plan.Registers[a.Inputs[0]].Offset, plan.Registers[a.Output].Offset);
            for (int seed = 0; seed < 20; seed++) Simulate(plan, new Random(seed));
            var inOneProcess = NetworkPlanner.Compile(Mlp(placement: "cpu:0-3", x: "S(0)", w1: "B", b1: "B", w2: "B", b2: "B", batch: 1024), PlanMode.Train);
            Assert.Contains(inOneProcess.Ops.Where(o => o.Boxing == BoxingKind.AllReduce).SelectMany(o => inOneProcess.ActorsOf(o.Id)),
                a => inOneProcess.Registers[a.Inputs[0]].Offset != inOneProcess.Registers[a.Output].Offset);
        }

        /// <summary>Of the bytes that are not persistent (weights, the output), a training step needs much less than
        /// their sum at once, and an inference chain less still.</summary>
        [Theory]
        [InlineData(PlanMode.Train, 0.85)]
        [InlineData(PlanMode.Infer, 0.60)]
        public void Reuse_makes_the_arena_smaller_than_the_sum_of_its_registers(PlanMode mode, double atMost)
        {
            var plan = NetworkPlanner.Compile(Mlp(placement: "cpu:0"), mode);
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

        /// <summary>Runs the actors in a random order the dependencies allow (a collective completes only when all
        /// its participants have started) and checks every write against the registers still waiting for readers.</summary>
        internal static void Simulate(Plan.Plan plan, Random random)
        {
            var readersLeft = plan.Registers.ToDictionary(r => r.Id, r => plan.Actors.Count(a => a.Inputs.Contains(r.Id)));
            var written = new HashSet<int>(plan.Registers.Where(r => r.Producer < 0).Select(r => r.Id));
            var started = new HashSet<int>();
            var done = new HashSet<int>();
            while (done.Count < plan.Actors.Count)
            {
                var ready = plan.Actors.Where(a => !done.Contains(a.Id) && a.Inputs.Concat(a.Controls).All(written.Contains)).ToList();
                foreach (var a in ready) started.Add(a.Id);
                var finishable = ready.Where(a => !plan.Ops[a.Op].IsRendezvous
                    || plan.Actors.Where(o => o.Op == a.Op).All(o => started.Contains(o.Id))).ToList();
                Assert.NotEmpty(finishable);
                var actor = finishable[random.Next(finishable.Count)];
                if (actor.Output >= 0)
                {
                    var target = plan.Registers[actor.Output];
                    // An in-place actor may write over what it reads itself (same bytes, same size).
                    foreach (var live in plan.Registers.Where(r => r.Device == target.Device && r.Id != target.Id && written.Contains(r.Id)
                                                                  && (readersLeft[r.Id] > 0 || r.Persistent)
                                                                  && !(actor.Inputs.Contains(r.Id) && r.Offset == target.Offset && r.Bytes == target.Bytes)))
                        Assert.False(Overlaps(live, target), $"{Name(plan, target)} overwrites {Name(plan, live)}, which still has readers");
                    written.Add(target.Id);
                }
                foreach (int r in actor.Inputs.Distinct()) readersLeft[r]--;
                done.Add(actor.Id);
            }
        }

        private static bool Overlaps(Register a, Register b) => a.Offset < b.Offset + b.Bytes && b.Offset < a.Offset + a.Bytes;

        private static string Name(Plan.Plan p, Register r) => $"{p.Tensors[r.Tensor].Name} on device {r.Device}";
    }
}
