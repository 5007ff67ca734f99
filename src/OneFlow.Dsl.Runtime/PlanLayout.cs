using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime.Actors;
using OneFlow.Dsl.Runtime.Boxing;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>What every backend derives once from a plan before running it: the copies of each boxing op, feed
    /// and fetch, where each actor's device sits in the placements its op reads and writes, which registers add up
    /// to the scalar output, the shapes each kernel works on, and the actor engine's wiring.</summary>
    internal sealed class PlanLayout
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
            if (op.Kind == OpKind.Boxing) return Transfer.Between(Plan.Tensors[op.Output].Shape, BoxingOp.Attributes(op).From, op.Source, BoxingOp.Attributes(op).To, op.Placement, Plan.Tensors[op.Output].RaggedRow);
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

        /// <summary>The shapes each actor's kernel works on (null for the ops a session carries out itself).</summary>
        public OpGeometry?[] Geometries() => Plan.Actors.Select(a => Plan.Ops[a.Op].RunsAsKernel ? OpGeometry.Of(Plan, a) : null).ToArray();

        /// <summary>The actor engine over the actors of the devices <paramref name="local"/> accepts (every device in one
        /// process): engine actor i is plan actor <c>PlanActor[i]</c>, and <c>EngineActor[a]</c> is −1 for actors elsewhere.</summary>
        public (ActorEngine Engine, int[] PlanActor, int[] EngineActor) Engine(Func<int, bool> local, IActorBody body)
        {
            var planActor = Plan.Actors.Where(a => local(a.Device)).Select(a => a.Id).ToArray();
            var engineActor = Enumerable.Repeat(-1, Plan.Actors.Count).ToArray();
            for (int i = 0; i < planActor.Length; i++) engineActor[planActor[i]] = i;
            // Weights are always there and the engine need not track them; everything else flows through slots.
            var actors = planActor.Select(id => Plan.Actors[id]).Select((a, i) => new EngineActor(i, a.Device,
                a.Inputs.Concat(a.Controls).Where(r => Plan.Registers[r].Producer >= 0).ToArray(), a.Output)).ToList();
            var registers = Plan.Registers.Select(r => new EngineRegister(r.Id, r.Slots, r.Producer >= 0 ? engineActor[r.Producer] : -1)).ToList();
            return (new ActorEngine(Plan.Devices, actors, registers, body), planActor, engineActor);
        }

        public void CheckFeed(int tensor, Array data)
        {
            var t = Plan.Tensors[tensor];
            if (data.Length != t.Shape.Elements * Plan.MicroBatches)
                throw new ArgumentException($"{t.Name} needs {t.Shape.Elements * Plan.MicroBatches} elements ({Plan.StepShape(t)}) but got {data.Length}.");
        }
    }
}
