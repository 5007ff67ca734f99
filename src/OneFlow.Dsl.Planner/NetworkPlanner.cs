using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner
{
    /// <summary>Data in, plan out: the whole pipeline from a network's spec to the plan the runtime streams.
    /// Pure and deterministic, so the generator at build time and the runtime re-planning for another placement
    /// get the same plan from the same input.</summary>
    public static class NetworkPlanner
    {
        public static Plan.Plan Compile(NetworkSpec spec, PlanMode mode, int registerSlots = 1)
        {
            if (!Placement.TryParse(spec.Placement, out var parsed, out string error))
                throw new PlanException(PlanErrorKind.PlacementSyntax, "Placement", error);
            var placement = parsed!;
            var warnings = new List<PlanWarning>();
            var graph = GraphBuilder.Build(spec, placement, mode, warnings, out int output);
            if (mode == PlanMode.Train) Autograd.AppendBackwardAndUpdate(graph, output);
            SbpSelection.Run(graph, placement, output, mode);

            var tensors = graph.Tensors.Select(t => new Plan.PlanTensor(t.Id, t.Name, t.Shape, t.DType, t.Role, t.Sbp, t.GradientOf)).ToList();
            var ops = graph.Ops.Select(o => new Plan.PlanOp(o.Id, o.Kind, o.Inputs, o.Output, o.TransA, o.TransB, o.From, o.To, o.Args, o.Origin)).ToList();
            var (actors, registers) = PhysicalLowering.Lower(graph, placement, output, registerSlots);
            var (placed, arena) = MemoryPlanner.Assign(actors, registers, ops, placement.Count);
            return new Plan.Plan(spec.Name, mode, placement, tensors, ops, actors, placed, arena, output) { Warnings = warnings };
        }
    }
}
