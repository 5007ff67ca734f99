using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Activation checkpointing, planned: a module's values that only its backward pass reads are not kept
    /// from the forward pass but computed again from the module's inputs once the gradient of its outputs exists, so
    /// that they live only while the module's backward runs. Its outputs are kept (they are the next module's inputs).
    /// The copies are the same ops on the same values (a dropout's copy applies the original's mask), so training
    /// gives the same numbers; the memory plan sees that the originals die at the end of their forward readers.
    /// Runs after SBP selection, so that the copies have their originals' layouts and boxing.</summary>
    internal static class Recomputation
    {
        /// <summary>Recomputes <paramref name="modules"/> (in forward order); returns how many ops were added.</summary>
        public static int Apply(LogicalGraph g, IReadOnlyList<string> modules)
        {
            int backward = g.Ops.FindIndex(o => o.Output >= 0 && g.Tensor(o.Output).Role == TensorRole.Gradient);
            if (backward < 0) return 0;
            var inserted = new Dictionary<int, List<LogicalOp>>();
            int added = 0;
            List<LogicalOp>? laterReaders = null;
            // Backward order: the last module first. Each module's copies also wait for every reader of the copies of
            // the module after it, so that no two modules' copies are alive at once (the memory plan can tell).
            foreach (string module in modules.Reverse())
            {
                var segment = Segment(g, module, backward, g.Ops.Count + added);
                if (segment.Copies.Count == 0) continue;
                if (laterReaders != null)
                    foreach (var root in segment.Copies.Where(c => c.ControlDeps.Count > 0)) root.ControlDeps.AddRange(laterReaders.Select(r => r.Id));
                laterReaders = segment.Readers;
                if (!inserted.TryGetValue(segment.Before, out var list)) inserted[segment.Before] = list = new List<LogicalOp>();
                list.InsertRange(0, segment.Copies);
                added += segment.Copies.Count;
            }
            var order = new List<LogicalOp>();
            var original = g.Ops.ToList();
            for (int i = 0; i < original.Count; i++)
            {
                if (inserted.TryGetValue(i, out var copies)) order.AddRange(copies.OrderBy(c => c.Id));
                order.Add(original[i]);
            }
            g.Reorder(order);
            return added;
        }

        /// <summary>The copies of one module's values its backward pass reads, in forward order, and the position of the
        /// first op that reads one (where they go); the readers are rewired to them.</summary>
        /// <param name="ids">The id the first copy takes (ids above every op's, until the graph is reordered).</param>
        private static (List<LogicalOp> Copies, List<LogicalOp> Readers, int Before) Segment(LogicalGraph g, string module, int backward, int ids)
        {
            var forward = g.Ops.Take(backward).Where(o => o.Module == module && o.Output >= 0).ToList();
            var produced = new HashSet<int>(forward.Select(o => o.Output));
            // Outputs are what the rest of the forward pass reads: kept, as checkpoints.
            var outputs = new HashSet<int>(g.Ops.Take(backward).Where(o => o.Module != module).SelectMany(o => o.Inputs).Where(produced.Contains));
            var inner = new HashSet<int>(produced.Where(t => !outputs.Contains(t)));
            var readers = g.Ops.Skip(backward).Where(o => o.Inputs.Any(inner.Contains)).ToList();
            var anchors = outputs.Where(g.Gradients.ContainsKey).Select(t => g.Tensor(g.Gradients[t]).Producer).Where(p => p >= 0).ToList();
            if (readers.Count == 0 || anchors.Count == 0) return (new List<LogicalOp>(), readers, 0);

            var needed = new HashSet<int>();
            var pending = new Stack<int>(readers.SelectMany(o => o.Inputs).Where(inner.Contains).Distinct());
            while (pending.Count > 0)
            {
                int t = pending.Pop();
                if (!needed.Add(t)) continue;
                foreach (int input in g.Ops[g.Tensor(t).Producer].Inputs.Where(inner.Contains)) pending.Push(input);
            }

            var copyOf = new Dictionary<int, int>();
            var ops = new List<LogicalOp>();
            foreach (var op in forward.Where(o => needed.Contains(o.Output)))
            {
                var copy = Copy(g, op, copyOf, ids + ops.Count);
                if (!op.Inputs.Any(copyOf.ContainsKey)) copy.ControlDeps.AddRange(anchors);
                copyOf[op.Output] = copy.Output;
                ops.Add(copy);
            }
            foreach (var reader in readers)
                for (int k = 0; k < reader.Inputs.Length; k++)
                    if (copyOf.TryGetValue(reader.Inputs[k], out int again)) reader.Inputs[k] = again;
            return (ops, readers, readers.Min(o => o.Id));
        }

        /// <summary>The op again, on the copies of its operands where they have one, writing a new tensor laid out as
        /// the original. It is added to the graph's tensors but not to its ops (the caller places it).</summary>
        private static LogicalOp Copy(LogicalGraph g, LogicalOp op, Dictionary<int, int> copyOf, int id)
        {
            var original = g.Tensor(op.Output);
            var t = g.AddTensor(original.Name + "@again", original.Shape, original.DType, TensorRole.Activation);
            t.Sbp = original.Sbp;
            t.Placement = original.Placement;
            var (kind, attributes) = OpRegistry.Get(op.Kind).Recomputed(op);
            var copy = new LogicalOp
            {
                Id = id,
                Kind = kind,
                Inputs = op.Inputs.Select(i => copyOf.TryGetValue(i, out int c) ? c : i).ToArray(),
                Output = t.Id,
                Attributes = attributes,
                Placement = op.Placement,
                Origin = "recompute " + op.Origin,
                Subject = op.Subject,
            };
            return copy;
        }
    }
}
