using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner
{
    /// <summary>Data in, plan out: the whole pipeline from a network's spec to the plan the runtime streams.
    /// Pure and deterministic, so the generator at build time and the runtime re-planning for another placement
    /// get the same plan from the same input.</summary>
    public static class NetworkPlanner
    {
        /// <param name="update">The update rule of a training plan; the spec's when left out.</param>
        /// <param name="clip">Scale every gradient by min(1, c / global norm) before the update (c is a run-time value);
        /// the spec's choice when left out.</param>
        /// <param name="fuse">Join chains of elementwise ops into one kernel each (<see cref="Passes.Fusion"/>); the spec's
        /// choice (<see cref="NetworkSpec.Fuse"/>) when left out.</param>
        /// <param name="registerSlots">Buffers per activation register; a training plan with micro-batches gets at
        /// least two, so that pipeline stages work on different micro-batches at once.</param>
        public static Plan.Plan Compile(NetworkSpec spec, PlanMode mode, int registerSlots = 1, UpdateRule? update = null, bool? clip = null, bool? fuse = null)
        {
            if (!Placement.TryParse(spec.Placement, out var parsed, out string error))
                throw new PlanException(PlanErrorKind.PlacementSyntax, "Placement", error);
            var (plan, modules) = Build(spec, mode, parsed!, registerSlots, update, clip, fuse ?? spec.Fuse, new string[0]);
            if (mode != PlanMode.Train || spec.MemoryBudget <= 0 || Peak(plan) <= spec.MemoryBudget) return WithBudget(plan, spec);
            // The first modules' activations live longest (from the forward pass to the end of the backward pass):
            // recomputing them saves the most, so modules are recomputed from the first on until the plan fits.
            var smallest = plan;
            for (int k = 1; k <= modules.Count; k++)
            {
                var (fewer, _) = Build(spec, mode, parsed!, registerSlots, update, clip, fuse ?? spec.Fuse, modules.Take(k).ToList());
                if (Peak(fewer) <= spec.MemoryBudget) return WithBudget(fewer, spec);
                if (Peak(fewer) < Peak(smallest)) smallest = fewer;
            }
            throw new PlanException(PlanErrorKind.MemoryBudget, "MemoryBudget",
                $"{spec.Name} needs {Bytes(Peak(plan))} bytes on its fullest device, over its memory budget of {Bytes(spec.MemoryBudget)}; recomputing " +
                (modules.Count == 0 ? "needs modules ([Module] classes), and Forward calls none" : $"the activations of all {modules.Count} modules it reaches {Bytes(Peak(smallest))} at best") +
                (spec.MicroBatches > 1 ? " (with micro-batches, activations are kept for two pieces and never share memory)" : "") +
                ". Raise the budget, or spread the network over more devices.");
        }

        private static long Peak(Plan.Plan plan) => plan.ArenaBytes.Max();

        private static string Bytes(long bytes) => bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

        private static Plan.Plan WithBudget(Plan.Plan plan, NetworkSpec spec)
        {
            plan.MemoryBudget = spec.MemoryBudget;
            return plan;
        }

        /// <summary>The plan with <paramref name="recompute"/>'s activations recomputed, and every module Forward calls
        /// in the order it calls them.</summary>
        private static (Plan.Plan Plan, List<string> Modules) Build(NetworkSpec spec, PlanMode mode, Placement placement, int registerSlots,
            UpdateRule? update, bool? clip, bool fuse, IReadOnlyList<string> recompute)
        {
            var warnings = new List<PlanWarning>();
            var graph = GraphBuilder.Build(spec, placement, mode, warnings, out int output);
            EmbeddingExchange.Apply(graph);
            var modules = graph.Ops.Select(o => o.Module).Where(m => m != null).Select(m => m!).Distinct().ToList();
            int micro = mode == PlanMode.Train ? spec.MicroBatches : 1;
            if (mode == PlanMode.Train) output = Autograd.AppendBackwardAndUpdate(graph, output, update ?? spec.Update, clip ?? spec.Clip, micro);
            SbpSelection.Run(graph, output, mode);
            int recomputed = recompute.Count > 0 ? Recomputation.Apply(graph, recompute) : 0;
            if (fuse)
            {
                Fusion.Apply(graph, output);
                UpdateGrouping.Apply(graph);
            }
            var plan = Lower(graph, spec.Name, mode, placement, output, micro > 1 ? System.Math.Max(2, registerSlots) : registerSlots, micro);
            plan.Warnings = warnings;
            plan.Recomputed = recompute;
            plan.RecomputedOps = recomputed;
            return (plan, modules);
        }

        /// <summary>What the tensor's producer says of its blocks; a boxed tensor keeps its source's.</summary>
        private static int RaggedRow(LogicalGraph graph, LogicalTensor t)
        {
            if (t.Producer < 0) return 0;
            var op = graph.Ops[t.Producer];
            return op.Kind == Ops.OpKind.Boxing ? RaggedRow(graph, graph.Tensor(op.Inputs[0])) : Ops.OpRegistry.Get(op.Kind).RaggedRow(graph, op);
        }

        /// <summary>From a graph whose SBPs are chosen and boxing inserted: actors, registers, the memory plan.</summary>
        private static Plan.Plan Lower(LogicalGraph graph, string name, PlanMode mode, Placement placement, int output, int registerSlots, int microBatches = 1)
        {
            var tensors = graph.Tensors.Select(t => new Plan.PlanTensor(t.Id, t.Name, t.Shape, t.DType, t.Role, t.Sbp, t.GradientOf, t.Placement)
                { RaggedRow = RaggedRow(graph, t) }).ToList();
            var ops = graph.Ops.Select(o => new Plan.PlanOp(o.Id, o.Kind, o.Inputs, o.Output, o.Attributes, o.Origin,
                o.Placement, o.Kind == Ops.OpKind.Boxing ? graph.Tensor(o.Inputs[0]).Placement : o.Placement)).ToList();
            var devices = new DeviceMap(Plan.Plan.PlacementsOf(placement, graph.Tensors.Select(t => t.Placement)));
            var (actors, registers) = PhysicalLowering.Lower(graph, devices, output, registerSlots);
            var (placed, arena) = MemoryPlanner.Assign(actors, registers, ops, devices);
            return new Plan.Plan(name, mode, placement, tensors, ops, actors, placed, arena, output, microBatches);
        }

        /// <summary>A plan that only moves one tensor: fed in the first layout, converted into each following one by
        /// a boxing op (a transfer where the placement changes), and read in the last. Loading weights into another
        /// placement is this plan, and so is a test of any boxing transition through the runtime.</summary>
        public static Plan.Plan Reshard(Shape shape, params (NdSbp Sbp, Placement Placement)[] layouts)
        {
            if (layouts.Length == 0) throw new System.ArgumentException("Give at least one layout.", nameof(layouts));
            foreach (var (sbp, at) in layouts)
            {
                if (sbp.Rank != at.MeshRank)
                    throw new System.ArgumentException($"{sbp} gives {sbp.Rank} SBPs for {at}, which has {at.MeshRank} mesh axes; give one per axis.", nameof(layouts));
                if (sbp.Parts.Any(p => p.IsSplit && p.Axis >= shape.Rank) || !GraphBuilder.Fits(shape, sbp, at))
                    throw new System.ArgumentException($"{shape} cannot be split {sbp} over {at}: every device needs at least one element along the split axes.", nameof(layouts));
            }
            var graph = new LogicalGraph();
            var x = graph.Tensor(graph.AddOp(Ops.OpKind.Input, new int[0], "x", TensorRole.Input, "x", layouts[0].Placement).Output);
            x.Shape = shape;
            x.Sbp = layouts[0].Sbp;
            foreach (var (sbp, at) in layouts.Skip(1))
            {
                if (x.Sbp == sbp && x.Placement.Equals(at)) continue;
                var box = graph.AddOp(Ops.OpKind.Boxing, new[] { x.Id }, "x" + graph.Ops.Count, TensorRole.Boxed, $"{x.Sbp} on {x.Placement} -> {sbp} on {at}", at,
                    new Ops.BoxingAttributes(x.Sbp, sbp));
                x = graph.Tensor(box.Output);
                x.Sbp = sbp;
            }
            return Lower(graph, "Reshard", PlanMode.Infer, layouts[0].Placement, x.Id, 1);
        }
    }
}
