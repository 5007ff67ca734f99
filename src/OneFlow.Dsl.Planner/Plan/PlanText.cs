using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Plan
{
    /// <summary>The plan as line-oriented text: what the generator embeds in the user's assembly and the runtime
    /// reads back. One record per line, <c>key=value</c> fields, the op's origin last; see docs/plan-format.md.</summary>
    public static class PlanText
    {
        /// <summary>The format this build writes and reads; a text of another format is refused, not misread.</summary>
        public const int Format = 4;

        private const string FormatLine = "oneflow-dsl plan format ";

        public static string Write(Plan p)
        {
            var sb = new StringBuilder();
            sb.Append(FormatLine + Format.ToString(CultureInfo.InvariantCulture) + "\n");
            sb.Append($"plan {p.Network} {p.Mode} {p.Placement} output={p.Output}{(p.MicroBatches > 1 ? $" micro={p.MicroBatches}" : "")}\n");
            foreach (var t in p.Tensors)
                sb.Append($"tensor {t.Id} {t.Name} {t.Shape} {t.DType} {t.Role} {t.Sbp} grad_of={t.GradientOf} at={t.Placement}{(t.RaggedRow > 0 ? $" ragged={t.RaggedRow}" : "")}\n");
            foreach (var o in p.Ops)
            {
                string attributes = AttributeWriter.Of(o.Attributes);
                sb.Append($"op {o.Id} {o.Kind} in={Ids(o.Inputs)} out={o.Output} at={o.Placement} src={o.Source}{(attributes.Length > 0 ? " " + attributes : "")} | {o.Origin}\n");
            }
            foreach (var a in p.Actors)
                sb.Append($"actor {a.Id} dev={a.Device} op={a.Op} in={Ids(a.Inputs)} ctrl={Ids(a.Controls)} out={a.Output}{(a.Workspace >= 0 ? $" work={a.Workspace}" : "")}\n");
            foreach (var r in p.Registers)
                sb.Append($"register {r.Id} dev={r.Device} tensor={r.Tensor} shape={r.LocalShape} slots={r.Slots} offset={r.Offset} persistent={Bit(r.Persistent)} producer={r.Producer}\n");
            for (int d = 0; d < p.Devices; d++)
                sb.Append($"arena {d} {p.ArenaBytes[d].ToString(CultureInfo.InvariantCulture)}\n");
            return sb.ToString();
        }

        public static Plan Read(string text)
        {
            string[] lines = text.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
            CheckFormat(lines.Length > 0 ? lines[0] : "");
            string[] head = lines.Length > 1 ? lines[1].Split(' ') : new[] { "" };
            if (head[0] != "plan") throw new FormatException("A plan's second line is its 'plan' line.");
            var tensors = new List<PlanTensor>();
            var ops = new List<PlanOp>();
            var actors = new List<Actor>();
            var registers = new List<Register>();
            var arena = new List<long>();
            var placements = new Dictionary<string, Placement>();
            Placement At(string text) => placements.TryGetValue(text, out var p) ? p : placements[text] = Placement.Parse(text);
            foreach (string line in lines.Skip(2))
            {
                string[] f = line.Split(' ');
                switch (f[0])
                {
                    case "tensor":
                        tensors.Add(new PlanTensor(Int(f[1]), f[2], Shape.Parse(f[3]), Enum<DType>(f[4]), Enum<TensorRole>(f[5]), NdSbp.Parse(f[6]), Int(Val(f[7])), At(Val(f[8])))
                            { RaggedRow = f.Length > 9 ? Int(Val(f[9])) : 0 });
                        break;
                    case "op":
                        ops.Add(ReadOp(line, At));
                        break;
                    case "actor":
                        actors.Add(new Actor(Int(f[1]), Int(Val(f[2])), Int(Val(f[3])), IdList(Val(f[4])), IdList(Val(f[5])), Int(Val(f[6])),
                            f.Length > 7 ? Int(Val(f[7])) : -1));
                        break;
                    case "register":
                        registers.Add(new Register(Int(f[1]), Int(Val(f[2])), Int(Val(f[3])), Shape.Parse(Val(f[4])), Int(Val(f[5])),
                            long.Parse(Val(f[6]), CultureInfo.InvariantCulture), Val(f[7]) == "1", Int(Val(f[8]))));
                        break;
                    case "arena":
                        arena.Add(long.Parse(f[2], CultureInfo.InvariantCulture));
                        break;
                    default:
                        throw new FormatException($"Unknown plan record '{f[0]}'.");
                }
            }
            return new Plan(head[1], Enum<PlanMode>(head[2]), Placement.Parse(head[3]), tensors, ops, actors, registers, arena, Int(Val(head[4])),
                head.Length > 5 ? Int(Val(head[5])) : 1);
        }

        /// <summary>op ID KIND in=… out=… at=… src=… [name=value …] | origin: the attributes by name, read by the op's definition.</summary>
        private static PlanOp ReadOp(string line, Func<string, Placement> at)
        {
            int bar = line.IndexOf(" | ", StringComparison.Ordinal);
            string[] f = line.Substring(0, bar).Split(' ');
            var kind = Enum<OpKind>(f[2]);
            var attributes = OpRegistry.Get(kind).ReadAttributes(new AttributeReader(kind.ToString(), f.Skip(7)));
            return new PlanOp(Int(f[1]), kind, IdList(Val(f[3])), Int(Val(f[4])), attributes, line.Substring(bar + 3), at(Val(f[5])), at(Val(f[6])));
        }

        /// <summary>Refuses a text that is not a plan of <see cref="Format"/>, saying what it is and what to do.</summary>
        private static void CheckFormat(string first)
        {
            if (!first.StartsWith(FormatLine, StringComparison.Ordinal))
                throw new FormatException($"This is not a OneFlow.Dsl plan of a known format: it starts '{Truncate(first)}' instead of '{FormatLine}{Format}'. " +
                                          "Plans written before formats were numbered cannot be read: rebuild the project that embedded it.");
            string version = first.Substring(FormatLine.Length).Trim();
            if (version != Format.ToString(CultureInfo.InvariantCulture))
                throw new FormatException($"This plan is in format {Truncate(version)}, and this OneFlow.Dsl reads format {Format}: " +
                                          "rebuild the project that embedded it with the same OneFlow.Dsl version as the program that runs it.");
        }

        private static string Truncate(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "…";

        /// <summary>A 64-bit FNV-1a hash of the text: two processes with the same hash run the same plan.</summary>
        public static string Hash(string text)
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in text) { h ^= c; h *= 1099511628211UL; }
            return h.ToString("x16", CultureInfo.InvariantCulture);
        }

        private static string Ids(int[] ids) => string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        private static int[] IdList(string s) => s.Length == 0 ? new int[0] : s.Split(',').Select(Int).ToArray();
        private static string Bit(bool b) => b ? "1" : "0";
        private static string Val(string field) => field.Substring(field.IndexOf('=') + 1);
        private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        private static T Enum<T>(string s) where T : struct => (T)System.Enum.Parse(typeof(T), s);
    }
}
