using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Joins chains of elementwise ops into one op each (<see cref="FusedOp"/>): a matrix product's bias and
    /// activation, a gradient's chain of scales, the loss's seed. An op joins the op that reads its output when it is
    /// that value's only reader, so the value is never stored (its tensor becomes <see cref="TensorRole.Fused"/>, with
    /// no register). Runs after SBP selection and recomputation: members read each other's parts as they are, so the
    /// group runs on each device's parts as its ops did, and one program computes every output element.</summary>
    internal static class Fusion
    {
        /// <summary>What one kernel evaluates at most: steps of its program and tensors it reads.</summary>
        internal const int MaxSteps = 16, MaxInputs = 8;

        /// <summary>Fuses every group of two or more ops; returns how many ops it removed.</summary>
        public static int Apply(LogicalGraph g, int output)
        {
            CopyConstants(g, output);
            var readers = new Dictionary<int, int>();
            foreach (var op in g.Ops)
                foreach (int t in op.Inputs.Distinct()) readers[t] = readers.TryGetValue(t, out int n) ? n + 1 : 1;
            var waitedFor = new HashSet<int>(g.Ops.SelectMany(o => o.ControlDeps));
            var groups = new Dictionary<int, HashSet<int>>();
            foreach (var op in g.Ops)
            {
                if (!Fusible(g, op)) continue;
                var members = new HashSet<int> { op.Id };
                foreach (int t in op.Inputs.Distinct())
                {
                    var tensor = g.Tensor(t);
                    if (tensor.Producer < 0 || !groups.TryGetValue(tensor.Producer, out var before)) continue;
                    if (t == output || readers[t] != 1 || waitedFor.Contains(tensor.Producer) || !Transient(tensor) || !tensor.Placement.Equals(op.Placement)) continue;
                    var joined = new HashSet<int>(members.Concat(before));
                    if (ProgramBuilder.Build(g, joined, op) == null) continue;
                    members = joined;
                    groups.Remove(tensor.Producer);
                }
                groups[op.Id] = members;
            }
            var fused = groups.Where(kv => kv.Value.Count > 1).ToDictionary(kv => kv.Key, kv => Rewrite(g, g.Ops[kv.Key], kv.Value));
            var gone = new HashSet<int>(groups.Where(kv => kv.Value.Count > 1).SelectMany(kv => kv.Value.Where(m => m != kv.Key)));
            g.Reorder(g.Ops.Where(o => !gone.Contains(o.Id)).Select(o => fused.TryGetValue(o.Id, out var f) ? f : o).ToList());
            return gone.Count;
        }

        /// <summary>A constant (the loss's seed: a fill, repeated and scaled) read by several elementwise ops is made again for
        /// each of them but the first, so that every reader computes it in its own kernel instead of reading it.</summary>
        private static void CopyConstants(LogicalGraph g, int output)
        {
            var constant = new HashSet<int>();
            foreach (var op in g.Ops)
                if (Fusible(g, op) && op.ControlDeps.Count == 0 && op.Inputs.All(t => g.Tensor(t).Producer >= 0 && constant.Contains(g.Tensor(t).Producer)))
                    constant.Add(op.Id);
            var copiesBefore = new Dictionary<int, List<LogicalOp>>();
            // Copies are placed when the graph is reordered; until then their outputs' producers are found here.
            var copyOf = new Dictionary<int, LogicalOp>();
            int next = g.Ops.Count;
            foreach (var op in g.Ops.Where(o => constant.Contains(o.Id) && o.Output != output))
            {
                var readers = g.Ops.Where(o => o.Inputs.Contains(op.Output)).ToList();
                if (readers.Count < 2 || readers.Any(r => !Fusible(g, r) || !r.Placement.Equals(op.Placement))) continue;
                foreach (var reader in readers.Skip(1))
                {
                    if (!copiesBefore.TryGetValue(reader.Id, out var copies)) copiesBefore[reader.Id] = copies = new List<LogicalOp>();
                    int copy = Copy(g, op.Output, copies, copyOf, ref next);
                    reader.Inputs = reader.Inputs.Select(t => t == op.Output ? copy : t).ToArray();
                }
            }
            if (copiesBefore.Count > 0)
                g.Reorder(g.Ops.SelectMany(o => copiesBefore.TryGetValue(o.Id, out var copies) ? copies.Append(o) : new[] { o }).ToList());
        }

        /// <summary>The constant <paramref name="tensor"/> computed again by copies of its ops (appended to
        /// <paramref name="copies"/>, producers first, numbered from <paramref name="next"/>); returns the copy's tensor.</summary>
        private static int Copy(LogicalGraph g, int tensor, List<LogicalOp> copies, Dictionary<int, LogicalOp> copyOf, ref int next)
        {
            var original = g.Tensor(tensor);
            var op = copyOf.TryGetValue(tensor, out var copied) ? copied : g.Ops[original.Producer];
            var inputs = new int[op.Inputs.Length];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = Copy(g, op.Inputs[k], copies, copyOf, ref next);
            var t = g.AddTensor(original.Name + "@copy", original.Shape, original.DType, original.Role);
            t.Sbp = original.Sbp;
            t.Placement = original.Placement;
            var again = new LogicalOp
            {
                Id = next++, Kind = op.Kind, Inputs = inputs, Output = t.Id, Attributes = op.Attributes, Placement = op.Placement,
                Module = op.Module, Origin = op.Origin, Subject = op.Subject,
            };
            copies.Add(again);
            copyOf[t.Id] = again;
            return t.Id;
        }

        /// <summary>An op with an elementwise form, on floats.</summary>
        private static bool Fusible(LogicalGraph g, LogicalOp op)
            => op.Output >= 0 && OpRegistry.Get(op.Kind).Pointwise(op) != null
               && g.Tensor(op.Output).DType == DType.F32 && op.Inputs.All(t => g.Tensor(t).DType == DType.F32);

        /// <summary>A value of the step that nothing keeps: an activation or a gradient on its way (not a weight's).</summary>
        private static bool Transient(LogicalTensor t)
            => (t.Role == TensorRole.Activation || t.Role == TensorRole.Gradient) && t.GradientOf < 0;

        /// <summary>The group as one op in the sink's place, writing the sink's output; the values between are fused away.</summary>
        private static LogicalOp Rewrite(LogicalGraph g, LogicalOp sink, HashSet<int> members)
        {
            var (attributes, inputs) = ProgramBuilder.Build(g, members, sink)!.Value;
            var ops = members.OrderBy(m => m).Select(m => g.Ops[m]).ToList();
            foreach (var member in ops.Where(o => o.Id != sink.Id))
            {
                g.Tensor(member.Output).Role = TensorRole.Fused;
                g.Tensor(member.Output).Producer = -1;
            }
            var fused = new LogicalOp
            {
                Id = sink.Id,
                Kind = OpKind.Fused,
                Inputs = inputs,
                Output = sink.Output,
                Attributes = attributes,
                Placement = sink.Placement,
                Module = sink.Module,
                Origin = $"{sink.Origin} [fused {string.Join(" ", ops.Select(o => o.Kind))}]",
                Subject = sink.Subject,
            };
            fused.ControlDeps.AddRange(ops.SelectMany(o => o.ControlDeps).Where(c => !members.Contains(c)).Distinct());
            return fused;
        }

        /// <summary>Writes a group's program from its sink back to the tensors it reads, following each value's axes into the
        /// output's (a bias runs along the last, a reduction's repeat along all but one).</summary>
        private sealed class ProgramBuilder
        {
            private readonly LogicalGraph _g;
            private readonly HashSet<int> _members;
            private readonly List<(PointwiseForm Form, int[] Operands)> _steps = new List<(PointwiseForm, int[])>();
            private readonly List<(int Tensor, int[] Axes)> _inputs = new List<(int, int[])>();
            private readonly Dictionary<string, int> _values = new Dictionary<string, int>();

            private ProgramBuilder(LogicalGraph g, HashSet<int> members) { _g = g; _members = members; }

            /// <summary>The program and its input tensors; null where an input would be read along axes apart, or the
            /// group is over a kernel's limits.</summary>
            public static (FusedAttributes Attributes, int[] Inputs)? Build(LogicalGraph g, HashSet<int> members, LogicalOp sink)
            {
                var b = new ProgramBuilder(g, members);
                var shape = g.Tensor(sink.Output).Shape;
                if (b.Value(sink.Output, Enumerable.Range(0, shape.Rank).ToArray()) == null) return null;
                if (b._steps.Count > MaxSteps || b._inputs.Count > MaxInputs) return null;
                // Values are numbered inputs first, then steps: a step's reference −1 − k is step k.
                int Number(int v) => v >= 0 ? v : b._inputs.Count - 1 - v;
                var program = b._steps.Select(s => new FusedInstruction(s.Form.Code, s.Operands.Select(Number).ToArray(), s.Form.Constant)).ToList();
                return (new FusedAttributes(program, b._inputs.Select(i => new FusedInput(i.Axes)).ToList(), shape), b._inputs.Select(i => i.Tensor).ToArray());
            }

            /// <summary>The value of <paramref name="tensor"/> at each output element, its axes running along <paramref name="axes"/>
            /// of the output: an input's number (≥ 0), or −1 − k for step k; null where it cannot be read so.</summary>
            private int? Value(int tensor, int[] axes)
            {
                string key = tensor + ":" + string.Join(",", axes);
                if (_values.TryGetValue(key, out int known)) return known;
                var t = _g.Tensor(tensor);
                int value;
                if (t.Producer >= 0 && _members.Contains(t.Producer))
                {
                    var op = _g.Ops[t.Producer];
                    var def = OpRegistry.Get(op.Kind);
                    var operands = new int[op.Inputs.Length];
                    for (int k = 0; k < operands.Length; k++)
                    {
                        var along = def.PointwiseAxes(_g, op, k).Select(a => a < 0 ? -1 : axes[a]).ToArray();
                        if (Value(op.Inputs[k], along) is not int v) return null;
                        operands[k] = v;
                    }
                    _steps.Add((def.Pointwise(op)!.Value, operands));
                    value = -_steps.Count;
                }
                else
                {
                    if (!new FusedInput(axes).Contiguous) return null;
                    _inputs.Add((tensor, axes));
                    value = _inputs.Count - 1;
                }
                return _values[key] = value;
            }
        }
    }
}
