using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Expands the logical graph into one actor per op and device, and one register per tensor and
    /// device, with local shapes from the SBPs. Offsets are left to the memory planner.</summary>
    public static class PhysicalLowering
    {
        public static (List<Actor> Actors, List<Register> Registers) Lower(LogicalGraph g, Placement placement, int output, int slots)
        {
            int devices = placement.Count;
            var registers = new List<Register>();
            var producers = new int[g.Tensors.Count * devices];
            for (int i = 0; i < producers.Length; i++) producers[i] = -1;
            foreach (var op in g.Ops.Where(o => o.Output >= 0))
                for (int d = 0; d < devices; d++) producers[op.Output * devices + d] = op.Id * devices + d;

            foreach (var t in g.Tensors)
            {
                // Weights persist across steps; the output persists until the host has read it.
                bool persistent = t.Role == TensorRole.Weight || t.Id == output;
                for (int d = 0; d < devices; d++)
                    registers.Add(new Register(registers.Count, d, t.Id, Partition.LocalShape(t.Shape, t.Sbp, placement, d),
                        persistent ? 1 : slots, 0, persistent, producers[t.Id * devices + d]));
            }

            var actors = new List<Actor>();
            foreach (var op in g.Ops)
            {
                var controls = op.Kind == OpKind.SgdUpdate ? ReadersOf(g, op.Inputs[0], op.Id) : new List<int>();
                for (int d = 0; d < devices; d++)
                {
                    int device = d;
                    actors.Add(new Actor(actors.Count, d, op.Id,
                        op.Inputs.Select(t => t * devices + device).ToArray(),
                        controls.Select(t => t * devices + device).ToArray(),
                        op.Output >= 0 ? op.Output * devices + d : -1));
                }
            }
            return (actors, registers);
        }

        /// <summary>The outputs of every other op that reads <paramref name="weight"/>: an in-place update must
        /// wait for them, or a reader could see the new value in the step that computes it.</summary>
        private static List<int> ReadersOf(LogicalGraph g, int weight, int updater)
            => g.Consumers(weight).Where(o => o.Id != updater && o.Output >= 0).Select(o => o.Output).ToList();
    }
}
