using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>The optimizer's dense updates of one placement as one op (<see cref="UpdateAttributes.Weights"/>): each device
    /// updates all its weights at once, one launch on a GPU instead of one per weight. Updates of one rule and clipping
    /// join; the group takes the place of its last member, when every gradient it reads exists, and waits for every
    /// reader of every weight it changes. Sparse updates (a table's touched rows) stay apart. Part of fusion.</summary>
    internal static class UpdateGrouping
    {
        /// <summary>Groups the updates; returns how many ops it removed.</summary>
        public static int Apply(LogicalGraph g)
        {
            var groups = g.Ops.Where(Groupable)
                .GroupBy(o => (o.Kind, Placement: o.Placement.ToString(), Clipped: UpdateOp.IsClipped(o), Norm: UpdateOp.IsClipped(o) ? o.Inputs[o.Inputs.Length - 1] : -1))
                .Select(group => group.OrderBy(o => o.Id).ToList()).Where(members => members.Count > 1).ToList();
            var replaced = new Dictionary<int, LogicalOp>();
            var into = new Dictionary<int, int>();
            foreach (var members in groups)
            {
                var last = members[members.Count - 1];
                var grouped = Group(g, members);
                replaced[last.Id] = grouped;
                foreach (var m in members) into[m.Id] = last.Id;
            }
            foreach (var op in g.Ops)
                for (int k = 0; k < op.ControlDeps.Count; k++)
                    if (into.TryGetValue(op.ControlDeps[k], out int to)) op.ControlDeps[k] = to;
            g.Reorder(g.Ops.Where(o => !into.ContainsKey(o.Id) || replaced.ContainsKey(o.Id)).Select(o => replaced.TryGetValue(o.Id, out var r) ? r : o).ToList());
            return into.Count - replaced.Count;
        }

        /// <summary>A dense update of one weight.</summary>
        private static bool Groupable(LogicalOp op) => OpRegistry.Get(op.Kind) is UpdateOp and not SparseUpdateOp && UpdateOp.Weights(op) == 1;

        private static LogicalOp Group(LogicalGraph g, List<LogicalOp> members)
        {
            var last = members[members.Count - 1];
            bool clipped = UpdateOp.IsClipped(last);
            var inputs = members.SelectMany(m => clipped ? m.Inputs.Take(m.Inputs.Length - 1) : m.Inputs).ToList();
            if (clipped) inputs.Add(last.Inputs[last.Inputs.Length - 1]);
            var grouped = new LogicalOp
            {
                Id = last.Id,
                Kind = last.Kind,
                Inputs = inputs.ToArray(),
                Output = -1,
                Attributes = new UpdateAttributes(clipped, members.Count),
                Placement = last.Placement,
                Origin = $"update of {members.Count} weights ({string.Join(", ", members.Select(m => g.Tensor(m.Inputs[0]).Name))})",
            };
            grouped.ControlDeps.AddRange(members.SelectMany(m => m.ControlDeps).Where(c => !members.Any(m => m.Id == c)).Distinct());
            return grouped;
        }
    }
}
