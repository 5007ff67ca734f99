using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Expands the logical graph into one actor per op and device, and one register per tensor and device
    /// of its placement, with local shapes from the SBPs. A transfer between placements has an actor on every device
    /// of either side: those of the source hand in their parts, those of the destination receive theirs. Offsets are
    /// left to the memory planner.</summary>
    internal static class PhysicalLowering
    {
        public static (List<Actor> Actors, List<Register> Registers) Lower(LogicalGraph g, DeviceMap devices, int output, int slots)
        {
            var registerOf = new Dictionary<(int Tensor, int Device), int>();
            // A value computed inside a fused kernel is never stored: it has no registers.
            var stored = g.Tensors.Where(t => t.Role != TensorRole.Fused).ToList();
            foreach (var t in stored)
                foreach (int d in devices.DevicesOf(t.Placement)) registerOf[(t.Id, d)] = registerOf.Count;

            var actors = new List<Actor>();
            var producers = new Dictionary<int, int>();
            var workspaces = new List<Register>();
            foreach (var op in g.Ops)
            {
                var controls = OpRegistry.Get(op.Kind) is UpdateOp ? UpdatedWeights(op).SelectMany(w => ReadersOf(g, w, op.Id)).Distinct().ToList() : new List<int>();
                controls.AddRange(op.ControlDeps.Select(c => g.Ops[c].Output).Where(t => t >= 0));
                foreach (int d in DevicesOf(g, op, devices))
                {
                    int? Here(int tensor) => registerOf.TryGetValue((tensor, d), out int r) ? r : (int?)null;
                    // A reader elsewhere (a transfer out of this placement) is waited for on every device it writes.
                    int[] Wait(int tensor) => Here(tensor) is int r ? new[] { r } : devices.DevicesOf(g.Tensor(tensor).Placement).Select(x => registerOf[(tensor, x)]).ToArray();
                    int outputRegister = op.Output >= 0 ? Here(op.Output) ?? -1 : -1;
                    if (outputRegister >= 0) producers[outputRegister] = actors.Count;
                    var workspace = Workspace(g, op, d, devices, registerOf.Count + workspaces.Count, actors.Count);
                    if (workspace != null) workspaces.Add(workspace);
                    actors.Add(new Actor(actors.Count, d, op.Id,
                        op.Inputs.Select(Here).Where(r => r != null).Select(r => r!.Value).ToArray(),
                        controls.SelectMany(Wait).ToArray(),
                        outputRegister, workspace?.Id ?? -1));
                }
            }

            var registers = new List<Register>();
            foreach (var t in stored)
            {
                // Weights and buffers persist across steps, sums over micro-batches through the step, the output until the host has read it.
                bool persistent = t.IsState || t.Role == TensorRole.OptimizerState || t.Role == TensorRole.Accumulated || t.Id == output;
                for (int i = 0; i < t.Placement.Count; i++)
                {
                    int d = devices.Of(t.Placement, i), id = registerOf[(t.Id, d)];
                    registers.Add(new Register(id, d, t.Id, Partition.LocalShape(t.Shape, t.Sbp, t.Placement, i),
                        persistent ? 1 : slots, 0, persistent, producers.TryGetValue(id, out int p) ? p : -1));
                }
            }
            registers.AddRange(workspaces);
            return (actors, registers);
        }

        /// <summary>The scratch register of the op's instance on device <paramref name="d"/>, or null where it needs
        /// none: written by that actor alone and dead once it has run, so the memory plan reuses its bytes.</summary>
        private static Register? Workspace(LogicalGraph g, LogicalOp op, int d, DeviceMap devices, int id, int actor)
        {
            var def = OpRegistry.Get(op.Kind);
            Shape Local(int tensor)
            {
                var t = g.Tensor(tensor);
                return Partition.LocalShape(t.Shape, t.Sbp, t.Placement, devices.IndexIn(t.Placement, d));
            }
            if (op.Kind == OpKind.Boxing || op.Kind == OpKind.Input) return null;
            long elements = def.WorkspaceElements(op, op.Inputs.Select(Local).ToArray(), op.Output >= 0 ? Local(op.Output) : Shape.Scalar);
            return elements > 0 ? new Register(id, d, -1, new Shape(checked((int)elements)), 1, 0, false, actor) : null;
        }

        /// <summary>An op's devices; a transfer between placements also runs on the devices it reads from.</summary>
        private static IEnumerable<int> DevicesOf(LogicalGraph g, LogicalOp op, DeviceMap devices)
        {
            var own = devices.DevicesOf(op.Placement);
            if (op.Kind == OpKind.Boxing) return own.Concat(devices.DevicesOf(g.Tensor(op.Inputs[0]).Placement)).Distinct().OrderBy(d => d);
            foreach (int input in op.Inputs)
                if (!g.Tensor(input).Placement.Equals(op.Placement))
                    throw new System.InvalidOperationException($"{op.Origin} on {op.Placement} reads {g.Tensor(input).Name} from {g.Tensor(input).Placement} without a transfer.");
            return own.OrderBy(d => d);
        }

        /// <summary>The weights an update changes: the first of each weight's operands.</summary>
        private static IEnumerable<int> UpdatedWeights(LogicalOp op)
        {
            int per = UpdateOp.PerWeight(op, op.Inputs.Length);
            return Enumerable.Range(0, UpdateOp.Weights(op)).Select(w => op.Inputs[w * per]);
        }

        /// <summary>The outputs of every other op that reads <paramref name="weight"/>: an in-place update must
        /// wait for them, or a reader could see the new value in the step that computes it.</summary>
        private static List<int> ReadersOf(LogicalGraph g, int weight, int updater)
            => g.Consumers(weight).Where(o => o.Id != updater && o.Output >= 0).Select(o => o.Output).ToList();
    }
}
