using System.Globalization;
using System.Linq;
using System.Text;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Plan
{
    /// <summary>The plan as a Graphviz graph: one cluster per device holding its actors, data edges labelled with the
    /// tensor's SBP and local shape, boxing actors highlighted, and each collective's participants joined across
    /// devices by a dashed edge named after the collective.</summary>
    internal static class PlanDot
    {
        public static string Write(Plan plan)
        {
            var sb = new StringBuilder();
            sb.Append($"digraph \"{Escape(plan.Network)}\" {{\n");
            sb.Append($"  label=\"{Escape(plan.Network)}: {plan.Mode} plan on {string.Join(" + ", plan.Placements)}\";\n");
            sb.Append("  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n");
            for (int d = 0; d < plan.Devices; d++)
            {
                sb.Append($"  subgraph cluster_{d} {{\n    label=\"{plan.DeviceMap.DeviceType}:{plan.DeviceMap.Ids[d]} ({Num(plan.ArenaBytes[d])} bytes)\";\n");
                foreach (var a in plan.Actors.Where(a => a.Device == d)) sb.Append("    ").Append(Node(plan, a)).Append('\n');
                sb.Append("  }\n");
            }
            foreach (var a in plan.Actors)
            {
                foreach (int r in a.Inputs.Distinct())
                {
                    var reg = plan.Registers[r];
                    if (reg.Producer < 0) continue;
                    var t = plan.Tensors[reg.Tensor];
                    sb.Append($"  a{reg.Producer} -> a{a.Id} [label=\"{Escape(t.Name)} {t.Sbp} {reg.LocalShape}\"];\n");
                }
                foreach (int r in a.Controls.Distinct())
                    if (plan.Registers[r].Producer >= 0) sb.Append($"  a{plan.Registers[r].Producer} -> a{a.Id} [style=dotted, arrowhead=empty];\n");
            }
            foreach (var op in plan.Ops.Where(o => o.Kind == OpKind.Boxing && !Collectives.IsLocal(o.Collective)))
            {
                var group = plan.ActorsOf(op.Id);
                for (int i = 1; i < group.Count; i++)
                    sb.Append($"  a{group[i - 1].Id} -> a{group[i].Id} [dir=none, style=dashed, color=red, constraint=false, label=\"{PlanReport.Name(op.Collective)}\"];\n");
            }
            sb.Append("}\n");
            return sb.ToString();
        }

        private static string Node(Plan plan, Actor a)
        {
            var op = plan.Ops[a.Op];
            string what = op.Kind == OpKind.Boxing ? $"{PlanReport.CollectiveName(op)}\\n{op.Sbps.From} -> {op.Sbps.To}" : op.Kind.ToString();
            string output = op.Output >= 0 ? "\\n" + Escape(plan.Tensors[op.Output].Name) : "";
            string style = op.Kind == OpKind.Boxing ? ", style=\"rounded,filled\", fillcolor=\"#ffd0d0\", color=red" : "";
            return $"a{a.Id} [label=\"{what}{output}\"{style}];";
        }

        private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

        private static string Num(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
    }
}
