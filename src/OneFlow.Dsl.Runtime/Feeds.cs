using System;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>The host arrays fed for the next run, and the copy of a device's part of a piece's rows out of them:
    /// micro-batch p of a step is the p-th run of rows of the batch fed.</summary>
    internal sealed class Feeds
    {
        private readonly PlanLayout _layout;
        private readonly Array?[] _arrays;

        public Feeds(PlanLayout layout)
        {
            _layout = layout;
            _arrays = new Array?[layout.Plan.Tensors.Count];
        }

        /// <summary>float[], or int[] for labels and ids, of the step's whole batch.</summary>
        public void Set(int tensor, Array data)
        {
            _layout.CheckFeed(tensor, data);
            _arrays[tensor] = data;
        }

        public void Clear() => Array.Clear(_arrays);

        /// <summary>Copies <paramref name="actor"/>'s part of input op <paramref name="op"/>'s rows for
        /// <paramref name="piece"/> to <paramref name="destination"/>.</summary>
        public unsafe void CopyPart(PlanOp op, Actor actor, long piece, float* destination)
        {
            var plan = _layout.Plan;
            var feed = _arrays[op.Output] ?? throw new InvalidOperationException($"No data was fed for {plan.Tensors[op.Output].Name}.");
            long offset = piece % plan.MicroBatches * plan.Tensors[op.Output].Shape.Elements * sizeof(float);
            fixed (byte* start = &MemoryMarshal.GetArrayDataReference(feed))
            {
                Span<IntPtr> sources = stackalloc IntPtr[1];
                sources[0] = (IntPtr)(start + offset);
                _layout.Transfers[op.Id]!.Apply(_layout.WritesAt[actor.Id], sources, destination);
            }
        }
    }
}
