using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Gives every register an offset in its device's arena. Two registers may share bytes when every
    /// reader of one is finished, by the plan's own dependencies, before the other is written: that holds whatever
    /// order the actors happen to run in, so the static layout is safe under streaming execution. The result of an
    /// all-reduce between processes takes the very bytes of the partial sums it reduces, which nothing else reads:
    /// MPI then reduces in place, with no copy. A view (a reshape) of a step's value takes that value's bytes, which
    /// then live until the view's readers are done: the reshape copies nothing.</summary>
    internal static class MemoryPlanner
    {
        public static (List<Register> Registers, long[] ArenaBytes) Assign(
            IReadOnlyList<Actor> actors, IReadOnlyList<Register> registers, IReadOnlyList<PlanOp> ops, DeviceMap devices)
        {
            var after = Descendants(actors, registers, ops);
            var readers = new List<int>[registers.Count];
            for (int r = 0; r < registers.Count; r++) readers[r] = new List<int>();
            // A control input orders its actor after the producer but reads no bytes: it does not keep them alive.
            foreach (var a in actors)
                foreach (int r in a.Inputs.Distinct()) readers[r].Add(a.Id);
            var aliases = InPlace(actors, registers, ops, devices, readers);
            foreach (var alias in aliases) readers[alias.Value].AddRange(readers[alias.Key]);

            var offsets = new long[registers.Count];
            var arena = new long[devices.Count];
            for (int d = 0; d < devices.Count; d++)
            {
                var mine = registers.Where(r => r.Device == d && !aliases.ContainsKey(r.Id)).ToList();
                bool Disjoint(Register x, Register y) => !x.Persistent && !y.Persistent && x.Slots == 1 && y.Slots == 1
                    && (Before(x, y, readers, after) || Before(y, x, readers, after));
                // Two orders, as OneFlow tries several: biggest first, and first produced first; keep the smaller arena.
                var bySize = Place(mine.OrderByDescending(r => r.Bytes).ThenBy(r => r.Id).ToList(), Disjoint);
                var byTime = Place(mine.OrderBy(r => r.Producer).ThenBy(r => r.Id).ToList(), Disjoint);
                var best = bySize.Peak <= byTime.Peak ? bySize : byTime;
                foreach (var kv in best.Offsets) offsets[kv.Key] = kv.Value;
                arena[d] = best.Peak;
            }
            foreach (var alias in aliases) offsets[alias.Key] = offsets[alias.Value];
            return (registers.Select(r => r with { Offset = offsets[r.Id] }).ToList(), arena);
        }

        /// <summary>Output register → input register, for each view of a step's value (of the bytes that value itself
        /// takes, for a view of a view), and each all-reduce between processes (one device each) whose partial sums only
        /// it reads.</summary>
        private static Dictionary<int, int> InPlace(IReadOnlyList<Actor> actors, IReadOnlyList<Register> registers, IReadOnlyList<PlanOp> ops,
            DeviceMap devices, List<int>[] readers)
        {
            var aliases = new Dictionary<int, int>();
            // Actor ids are a topological order, so a view's input is resolved before the view.
            foreach (var a in actors)
            {
                if (a.Output < 0 || a.Inputs.Length != 1 || !OpRegistry.Get(ops[a.Op].Kind).IsView) continue;
                Register input = registers[a.Inputs[0]], output = registers[a.Output];
                if (input.Persistent || output.Persistent || input.Slots != output.Slots || input.Bytes != output.Bytes) continue;
                aliases[output.Id] = aliases.TryGetValue(input.Id, out int root) ? root : input.Id;
            }
            foreach (var group in actors.GroupBy(a => a.Op))
            {
                var op = ops[group.Key];
                if (op.Collective != Collective.AllReduce || group.Select(a => devices.RankOf(a.Device)).Distinct().Count() != group.Count() || group.Count() < 2) continue;
                foreach (var a in group)
                {
                    if (a.Inputs.Length != 1 || a.Output < 0) continue;
                    Register input = registers[a.Inputs[0]], output = registers[a.Output];
                    if (input.Persistent || output.Persistent || input.Slots != output.Slots || input.Bytes != output.Bytes) continue;
                    // Reduced in place only where nothing else reads those bytes: not a view's, nor one with views.
                    bool viewed = aliases.ContainsKey(input.Id) || aliases.ContainsValue(input.Id);
                    if (!viewed && readers[input.Id].Count == 1 && readers[input.Id][0] == a.Id) aliases[output.Id] = input.Id;
                }
            }
            return aliases;
        }

        /// <summary>True when every reader of <paramref name="a"/> (its producer, if it has none) finishes before
        /// <paramref name="b"/>'s producer starts.</summary>
        private static bool Before(Register a, Register b, List<int>[] readers, BitArray[] after)
        {
            if (b.Producer < 0 || a.Producer < 0) return false;
            var last = readers[a.Id].Count > 0 ? readers[a.Id] : new List<int> { a.Producer };
            return last.All(r => after[r][b.Producer]);
        }

        private static (Dictionary<int, long> Offsets, long Peak) Place(List<Register> order, Func<Register, Register, bool> disjoint)
        {
            var placed = new List<(Register Reg, long Offset)>();
            var offsets = new Dictionary<int, long>();
            long peak = 0;
            foreach (var r in order)
            {
                var blockers = placed.Where(p => !disjoint(p.Reg, r)).OrderBy(p => p.Offset).ToList();
                long offset = 0;
                foreach (var p in blockers)
                {
                    if (offset + r.Bytes <= p.Offset) break;
                    offset = Math.Max(offset, p.Offset + p.Reg.Bytes);
                }
                placed.Add((r, offset));
                offsets[r.Id] = offset;
                peak = Math.Max(peak, offset + r.Bytes);
            }
            return (offsets, peak);
        }

        /// <summary>after[u][v]: actor v cannot start before actor u has finished. Edges are data and control
        /// inputs; a collective finishes only once every participant has delivered its input, so each
        /// participant also comes after the producers of the others' inputs.</summary>
        private static BitArray[] Descendants(IReadOnlyList<Actor> actors, IReadOnlyList<Register> registers, IReadOnlyList<PlanOp> ops)
        {
            var children = new List<int>[actors.Count];
            for (int i = 0; i < actors.Count; i++) children[i] = new List<int>();
            foreach (var a in actors)
                foreach (int r in a.Inputs.Concat(a.Controls))
                    if (registers[r].Producer >= 0) children[registers[r].Producer].Add(a.Id);
            foreach (var group in actors.GroupBy(a => a.Op).Where(g => ops[g.Key].IsRendezvous))
                foreach (var participant in group)
                    foreach (var other in group)
                        foreach (int r in other.Inputs)
                            if (registers[r].Producer >= 0) children[registers[r].Producer].Add(participant.Id);

            // Actor ids follow op ids, and op ids are a topological order: fill from the back.
            var after = new BitArray[actors.Count];
            for (int u = actors.Count - 1; u >= 0; u--)
            {
                after[u] = new BitArray(actors.Count);
                foreach (int v in children[u])
                {
                    after[u][v] = true;
                    after[u].Or(after[v]);
                }
            }
            return after;
        }

    }
}
