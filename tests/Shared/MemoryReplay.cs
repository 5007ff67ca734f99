using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Plan;
using Xunit;

namespace OneFlow.Dsl.Testing
{
    /// <summary>A plan's memory checked from its actors and registers alone, not from the sizes the memory planner
    /// reported: the arena each device's layout spans, and replays of the actors in orders the dependencies allow
    /// that count the bytes live at every moment and catch any write over a register still to be read.</summary>
    public static class MemoryReplay
    {
        /// <summary>Per device, the end of the last byte any register occupies.</summary>
        public static long[] LayoutEnds(Plan plan)
        {
            var ends = new long[plan.Devices];
            foreach (var r in plan.Registers) ends[r.Device] = Math.Max(ends[r.Device], r.Offset + r.Bytes);
            return ends;
        }

        /// <summary>Runs the actors in a random order the dependencies allow (a collective completes only when all its
        /// participants have started), asserting that no write lands on a register still waiting for readers; returns
        /// each device's peak of live bytes: registers written and not yet read by all their readers (persistent ones
        /// always), and the writing actor's output and workspace while it runs.</summary>
        public static long[] Run(Plan plan, Random random)
        {
            var readersLeft = plan.Registers.ToDictionary(r => r.Id, r => plan.Actors.Count(a => a.Inputs.Contains(r.Id)));
            var written = new HashSet<int>(plan.Registers.Where(r => r.Producer < 0).Select(r => r.Id));
            var started = new HashSet<int>();
            var done = new HashSet<int>();
            var peaks = new long[plan.Devices];
            while (done.Count < plan.Actors.Count)
            {
                var ready = plan.Actors.Where(a => !done.Contains(a.Id) && a.Inputs.Concat(a.Controls).All(written.Contains)).ToList();
                foreach (var a in ready) started.Add(a.Id);
                var finishable = ready.Where(a => !plan.Ops[a.Op].IsRendezvous
                    || plan.Actors.Where(o => o.Op == a.Op).All(o => started.Contains(o.Id))).ToList();
                Assert.NotEmpty(finishable);
                var actor = finishable[random.Next(finishable.Count)];
                bool Live(Register r) => written.Contains(r.Id) && (readersLeft[r.Id] > 0 || r.Persistent);
                var during = plan.Registers.Where(r => r.Device == actor.Device && (Live(r) || r.Id == actor.Output || r.Id == actor.Workspace));
                // An in-place pair (same offset and size) is one set of bytes.
                peaks[actor.Device] = Math.Max(peaks[actor.Device], during.Select(r => (r.Offset, r.Bytes)).Distinct().Sum(r => r.Bytes));
                if (actor.Output >= 0)
                {
                    var target = plan.Registers[actor.Output];
                    // An in-place actor may write over what it reads itself (same bytes, same size).
                    foreach (var live in plan.Registers.Where(r => r.Device == target.Device && r.Id != target.Id && Live(r)
                                                                  && !(actor.Inputs.Contains(r.Id) && r.Offset == target.Offset && r.Bytes == target.Bytes)))
                        Assert.False(Overlaps(live, target), $"{Name(plan, target)} overwrites {Name(plan, live)}, which still has readers");
                    written.Add(target.Id);
                }
                foreach (int r in actor.Inputs.Distinct()) readersLeft[r]--;
                done.Add(actor.Id);
            }
            return peaks;
        }

        private static bool Overlaps(Register a, Register b) => a.Offset < b.Offset + b.Bytes && b.Offset < a.Offset + a.Bytes;

        private static string Name(Plan p, Register r) => r.Tensor < 0 ? $"a workspace on device {r.Device}" : $"{p.Tensors[r.Tensor].Name} on device {r.Device}";
    }
}
