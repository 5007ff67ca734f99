using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Where each op runs when a network spans several placements. An op written inside a placed module
    /// runs on the module's placement; weights never move, so another op runs where the weights it reads live; an
    /// op reading none runs where its first operand was computed; inputs are
    /// fed from the host, so they go wherever their first consumer runs. Everything else that crosses a placement
    /// becomes a transfer, chosen and priced by SBP selection like any other boxing.</summary>
    internal static class PlacementRules
    {
        /// <param name="floating">Inputs not yet placed: they follow their consumers, not the other way round.</param>
        /// <param name="declared">The placement of the module the op was written in, if it has one.</param>
        public static Placement ForOp(LogicalGraph g, int[] inputs, ISet<int> floating, Placement fallback, string subject, Placement? declared = null)
        {
            LogicalTensor? weight = null;
            foreach (var t in inputs.Select(g.Tensor).Where(t => t.IsState))
            {
                if (declared != null && !declared.Equals(t.Placement))
                    throw new PlanException(PlanErrorKind.PlacementConflict, subject,
                        $"{subject} is in a module placed on {declared} but reads {t.Name} on {t.Placement}; weights never move, so " +
                        "place the weight with its module or pass the value computed from it as an argument.");
                if (weight != null && !weight.Placement.Equals(t.Placement))
                    throw new PlanException(PlanErrorKind.PlacementConflict, subject,
                        $"{subject} reads {weight.Name} on {weight.Placement} and {t.Name} on {t.Placement}, but an op runs on one placement; " +
                        "put both weights on the same placement, or compute with each on its own and combine the results.");
                weight ??= t;
            }
            var at = declared ?? weight?.Placement ?? inputs.Where(i => !floating.Contains(i)).Select(i => g.Tensor(i).Placement).FirstOrDefault() ?? fallback;
            foreach (var t in inputs.Select(g.Tensor).Where(t => !floating.Contains(t.Id) && t.Placement.DeviceType != at.DeviceType))
                throw new PlanException(PlanErrorKind.PlacementConflict, subject,
                    $"{subject} runs on {at} but reads {t.Name} from {t.Placement}; a network's placements must share one device type.");
            return at;
        }

        /// <summary>Places each floating input (and the op that feeds it) with its first consumer.</summary>
        public static void PlaceFloating(LogicalGraph g, ISet<int> floating, Placement fallback)
        {
            foreach (int id in floating)
            {
                var t = g.Tensor(id);
                var consumer = g.Ops.FirstOrDefault(o => o.Inputs.Contains(id));
                t.Placement = consumer?.Placement ?? fallback;
                g.Ops[t.Producer].Placement = t.Placement;
            }
        }
    }
}
