using System.Globalization;
using System.Linq;
using System.Text;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Plan
{
    /// <summary>What the planner decided, for a person: every tensor's SBP, every op's signature, every boxing op
    /// with its cause and the bytes it moves, and the memory each device needs.</summary>
    internal static class PlanReport
    {
        public static string Write(Plan plan)
        {
            var sb = new StringBuilder();
            string mode = plan.Mode == PlanMode.Train ? "training" : "inference";
            sb.Append($"{plan.Network}: {mode} plan on {string.Join(" + ", plan.Placements)} ({plan.Devices} device{(plan.Devices == 1 ? "" : "s")})\n");
            sb.Append("\nops (output = op(inputs) : input SBPs -> output SBP)\n");
            foreach (var op in plan.Ops.Where(o => o.Kind != OpKind.Boxing))
                sb.Append("  ").Append(Describe(plan, op)).Append('\n');

            Pipeline(sb, plan);
            var boxing = plan.Ops.Where(o => o.Kind == OpKind.Boxing).ToList();
            var once = plan.OncePerStep();
            sb.Append($"\nboxing ({boxing.Count} op{(boxing.Count == 1 ? "" : "s")})\n");
            double total = 0;
            foreach (var op in boxing)
            {
                var t = plan.Tensors[op.Inputs[0]];
                double bytes = Collectives.TotalBytes(op.Sbps.From, op.Source, op.Sbps.To, op.Placement, t.Bytes) * (once[op.Id] ? 1 : plan.MicroBatches);
                total += bytes;
                var consumer = plan.Ops.First(o => o.Inputs.Contains(op.Output));
                int participants = plan.ActorsOf(op.Id).Count;
                string sbps = op.Collective == Collective.Transfer ? $"{op.Sbps.From} on {op.Source} -> {op.Sbps.To} on {op.Placement}" : $"{op.Sbps.From} -> {op.Sbps.To}";
                sb.Append($"  {CollectiveName(op)} {t.Name} {t.Shape}: {sbps}, needed by {consumer.Origin}; " +
                          $"{Num(bytes)} bytes per step ({Num(bytes / participants)} per device)\n");
            }
            sb.Append($"  total {Num(total)} bytes per step\n");

            sb.Append("\nmemory (one arena per device, offsets fixed at build time)\n");
            if (plan.MemoryBudget > 0)
                sb.Append($"  budget {Num(plan.MemoryBudget)} bytes per device: " + (plan.Recomputed.Count == 0
                    ? "met without recomputation\n"
                    : $"met by recomputing the activations of {string.Join(", ", plan.Recomputed)} in the backward pass ({plan.RecomputedOps} ops)\n"));
            for (int d = 0; d < plan.Devices; d++)
            {
                var regs = plan.Registers.Where(r => r.Device == d).ToList();
                long sum = regs.Sum(r => r.Bytes), persistent = regs.Where(r => r.Persistent).Sum(r => r.Bytes);
                sb.Append($"  device {d} ({plan.DeviceMap.DeviceType}:{plan.DeviceMap.Ids[d]}): peak {Num(plan.ArenaBytes[d])} bytes " +
                          $"({Num(persistent)} persistent; {Num(sum)} without reuse), {regs.Count} registers\n");
            }
            sb.Append($"\nactors: {plan.Actors.Count} ({plan.Actors.Count / plan.Devices} per device); register slots: " +
                      string.Join(",", plan.Registers.Select(r => r.Slots).Distinct().OrderBy(s => s)) + "\n");
            return sb.ToString();
        }

        /// <summary>The stages (the placements compute ops run on, in the order the forward pass reaches them) and,
        /// with M micro-batches over S stages, the expected bubble: (S − 1)/(M + S − 1) of each stage's step is idle
        /// when every stage takes the same time per micro-batch.</summary>
        private static void Pipeline(StringBuilder sb, Plan plan)
        {
            var stages = plan.Ops.Where(o => o.Kind != OpKind.Boxing && o.Kind != OpKind.Input && o.Output >= 0
                                             && plan.Tensors[o.Output].Role == TensorRole.Activation)
                .Select(o => o.Placement).Distinct().ToList();
            if (stages.Count < 2 && plan.MicroBatches == 1) return;
            int s = stages.Count, m = plan.MicroBatches;
            double bubble = (s - 1) / (double)(m + s - 1);
            sb.Append($"\npipeline: {s} stage{(s == 1 ? "" : "s")} ({string.Join(" -> ", stages)}), {m} micro-batch{(m == 1 ? "" : "es")} per step; " +
                      $"expected bubble {(bubble * 100).ToString("F1", CultureInfo.InvariantCulture)}% of each stage's step\n");
        }

        private static string Describe(Plan plan, PlanOp op)
        {
            var inputs = op.Inputs.Select(i => plan.Tensors[i]).ToList();
            string args = string.Join(", ", inputs.Select(t => t.Name));
            string flags = op.Attributes == null ? "" : $" [{AttributeWriter.Of(op.Attributes)}]";
            string sbps = string.Join(", ", inputs.Select(t => t.Sbp.ToString()));
            if (op.Output < 0) return $"{op.Kind}({args}){flags} : ({sbps})";
            var o = plan.Tensors[op.Output];
            return $"{o.Name} {o.Shape} = {op.Kind}({args}){flags} : ({sbps}) -> {o.Sbp}";
        }

        /// <summary>The collective's name and, on a mesh, the axis it runs along.</summary>
        public static string CollectiveName(PlanOp op)
        {
            if (op.Placement.MeshRank == 1 || op.Collective == Collective.Hierarchical || op.Collective == Collective.Transfer) return Name(op.Collective);
            int axis = Enumerable.Range(0, op.Placement.MeshRank).First(k => op.Sbps.From[k] != op.Sbps.To[k]);
            return $"{Name(op.Collective)} (mesh axis {axis})";
        }

        public static string Name(Collective kind) => kind switch
        {
            Collective.AllGather => "all-gather",
            Collective.AllReduce => "all-reduce",
            Collective.ReduceScatter => "reduce-scatter",
            Collective.AllToAll => "all-to-all",
            Collective.Slice => "slice",
            Collective.PartialFromBroadcast => "broadcast-to-partial",
            Collective.PartialFromSplit => "split-to-partial",
            Collective.Hierarchical => "hierarchical",
            Collective.Transfer => "transfer",
            _ => kind.ToString(),
        };

        private static string Num(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
    }
}
