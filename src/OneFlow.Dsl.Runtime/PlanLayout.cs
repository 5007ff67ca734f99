using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime.Boxing;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>What every backend derives once from a plan before running it: the copies of each boxing op, feed
    /// and fetch, where each actor's device sits in the placements its op reads and writes, and which registers add
    /// up to the scalar output.</summary>
    public sealed class PlanLayout
    {
        public Plan Plan { get; }
        /// <summary>Per op: the feed of an input op, the conversion of a boxing op; null for the others.</summary>
        public Transfer?[] Transfers { get; }
        /// <summary>Per actor, its device's index within the placement its op reads from and the one it writes to
        /// (they differ only for a transfer between placements; -1 where the device is not in that placement).</summary>
        public int[] ReadsAt { get; }
        public int[] WritesAt { get; }
        /// <summary>The registers whose values add up to a scalar output (one per partial-sum group).</summary>
        public Register[] ScalarParts { get; }

        public PlanLayout(Plan plan)
        {
            Plan = plan;
            Transfers = plan.Ops.Select(TransferOf).ToArray();
            ReadsAt = plan.Actors.Select(a => plan.DeviceMap.IndexIn(plan.Ops[a.Op].Source, a.Device)).ToArray();
            WritesAt = plan.Actors.Select(a => plan.DeviceMap.IndexIn(plan.Ops[a.Op].Placement, a.Device)).ToArray();
            var output = plan.Tensors[plan.Output];
            ScalarParts = output.Shape.Rank == 0
                ? ToHost(plan.Output).Parts[0].Select(p => Part(output.Id, p.Source)).ToArray()
                : new Register[0];
        }

        private Transfer? TransferOf(PlanOp op)
        {
            if (op.Kind == OpKind.Input) return FromHost(op.Output);
            if (op.Kind == OpKind.Boxing) return Transfer.Between(Plan.Tensors[op.Output].Shape, op.From, op.Source, op.To, op.Placement);
            return null;
        }

        /// <summary>From a whole host array into every part of the tensor.</summary>
        public Transfer FromHost(int tensor)
        {
            var t = Plan.Tensors[tensor];
            int rank = t.Placement.MeshRank;
            return Transfer.Between(t.Shape, NdSbp.Broadcast(rank), Placement.OneDevice(rank), t.Sbp, t.Placement);
        }

        /// <summary>From every part into one whole host array: split parts joined, partial sums added.</summary>
        public Transfer ToHost(int tensor)
        {
            var t = Plan.Tensors[tensor];
            int rank = t.Placement.MeshRank;
            return Transfer.Between(t.Shape, t.Sbp, t.Placement, NdSbp.Broadcast(rank), Placement.OneDevice(rank));
        }

        /// <summary>The register of the <paramref name="index"/>-th part of a tensor, counted in its placement.</summary>
        public Register Part(int tensor, int index) => Plan.RegisterOf(tensor, Plan.DeviceMap.Of(Plan.Tensors[tensor].Placement, index));

        public void CheckFeed(int tensor, Array data)
        {
            var t = Plan.Tensors[tensor];
            if (data.Length != t.Shape.Elements * Plan.MicroBatches)
                throw new ArgumentException($"{t.Name} needs {t.Shape.Elements * Plan.MicroBatches} elements ({Plan.StepShape(t)}) but got {data.Length}.");
        }
    }
}
