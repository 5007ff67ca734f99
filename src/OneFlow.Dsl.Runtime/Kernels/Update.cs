using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The optimizers' in-place updates (<c>UpdateOp.cs</c>): of a weight from its gradient (clipped by the
    /// global norm where the plan says so), and of an embedding table from the rows its lookups touched
    /// (<see cref="SparseUpdateOp"/>): lookup j of the ids takes row j / K of the rows, times the lookup's factor; this
    /// device holds table rows [first, first + rows) and skips the others. Nothing sparse here is the size of the table.</summary>
    internal static unsafe class Update
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.SgdUpdate, k => EachWeight(k, static (k, at) => SgdUpdate(k.Mutable(at), k.In(at + 1), k.LearningRate, GradScale(k))));
            CpuKernels.Add(OpKind.MomentumUpdate, k => EachWeight(k, static (k, at) =>
                MomentumUpdate(k.Mutable(at), k.In(at + 1), k.Mutable(at + 2), k.LearningRate, k.Optimizer.Momentum, GradScale(k))));
            CpuKernels.Add(OpKind.AdagradUpdate, k => EachWeight(k, static (k, at) =>
                AdagradUpdate(k.Mutable(at), k.In(at + 1), k.Mutable(at + 2), k.LearningRate, k.Optimizer.Epsilon, GradScale(k))));
            CpuKernels.Add(OpKind.AdamUpdate, k => EachWeight(k, static (k, at) =>
            {
                var o = k.Optimizer;
                AdamUpdate(k.Mutable(at), k.In(at + 1), k.Mutable(at + 2), k.Mutable(at + 3), k.LearningRate, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay, o.Step, GradScale(k));
            }));
            CpuKernels.Add(OpKind.SparseSgdUpdate, k => Sgd(k.Mutable(0), k.Ints(1), k.In(2), First(k), k.InShape(0)[0], k.InShape(0)[1],
                k.LearningRate * (float)SparseUpdateOp.Scale(k.Op), Block(k)));
            CpuKernels.Add(OpKind.SparseAdagradUpdate, k => Adagrad(k.Mutable(0), k.Ints(1), k.In(2), k.Mutable(3), First(k), k.InShape(0)[0], k.InShape(0)[1],
                (float)SparseUpdateOp.Scale(k.Op), k.LearningRate, k.Optimizer.Epsilon, new Scratch(k.Workspace, (int)k.InShape(1).Elements, k.InShape(0)[1], Block(k))));
            CpuKernels.Add(OpKind.SparseAdamUpdate, k =>
            {
                var o = k.Optimizer;
                var scratch = new Scratch(k.Workspace, (int)k.InShape(1).Elements, k.InShape(0)[1], Block(k));
                Adam(k.Mutable(0), k.Ints(1), k.In(2), k.Mutable(3), k.Mutable(4), First(k), k.InShape(0)[0], k.InShape(0)[1],
                    (float)SparseUpdateOp.Scale(k.Op), k.LearningRate, o.Beta1, o.Beta2, o.Epsilon, o.Step, scratch);
            });
        }

        /// <summary>A dense update's rule applied to each weight it updates, <paramref name="rule"/>(k, its first operand).</summary>
        private static void EachWeight(CpuKernelContext k, Action<CpuKernelContext, int> rule)
        {
            int per = UpdateOp.PerWeight(k.Op, k.Op.Inputs.Length);
            for (int w = 0; w < UpdateOp.Weights(k.Op); w++) rule(k, w * per);
        }

        /// <summary>1, or for an update clipped by the global norm, the factor its last operand (the squared norm) gives.</summary>
        private static unsafe float GradScale(CpuKernelContext k)
            => UpdateOp.IsClipped(k.Op) ? k.Optimizer.ClipScale(*k.InPointer(k.Op.Inputs.Length - 1)) : 1f;

        private static int First(KernelContext k) => k.Geometry.InputStarts[0][0];

        /// <summary>For the exchange's blocks, their length in ids (1 + c); 0 for ids that are all lookups.</summary>
        private static int Block(KernelContext k) => SparseUpdateOp.Exchanged(k.Op) ? k.InShape(1)[k.InShape(1).Rank - 1] : 0;

        /// <summary>Whether entry j of the ids is a lookup: always, or, in blocks of <paramref name="block"/>, when it is
        /// within the count its block starts with. The rows past a block's count are stale: transfers skip them.</summary>
        public static bool Counted(ReadOnlySpan<int> ids, int j, int block)
        {
            if (block == 0) return true;
            int u = j % block;
            return u != 0 && u <= ids[j - u];
        }

        /// <summary>PyTorch's sparse Adagrad: each id's rows summed, then s += g² and table −= lr · g / (√s + ε) in its row.</summary>
        public static void Adagrad(Span<float> table, ReadOnlySpan<int> ids, ReadOnlySpan<float> rows, Span<float> sums, int first, int count,
            int width, float scale, float lr, float epsilon, Scratch scratch)
        {
            int distinct = scratch.Combine(ids, rows, PerRow(ids.Length, rows.Length, width), first, count, width, scale);
            for (int u = 0; u < distinct; u++)
            {
                int local = scratch.Id(u) - first;
                AdagradUpdate(table.Slice(local * width, width), scratch.Row(u), sums.Slice(local * width, width), lr, epsilon);
            }
        }

        /// <summary>Lookups per row of gradient: a bag's size, 1 for a plain lookup.</summary>
        public static int PerRow(int ids, int rows, int width) => ids / (rows / width);

        /// <summary>table[id] −= step · row, lookup by lookup (duplicates add up, as SGD's dense gradient would).</summary>
        public static void Sgd(Span<float> table, ReadOnlySpan<int> ids, ReadOnlySpan<float> rows, int first, int count, int width, float step, int block = 0)
        {
            int bag = PerRow(ids.Length, rows.Length, width);
            for (int j = 0; j < ids.Length; j++)
            {
                int local = ids[j] - first;
                if ((uint)local >= (uint)count || !Counted(ids, j, block)) continue;
                var target = table.Slice(local * width, width);
                TensorPrimitives.MultiplyAdd(rows.Slice(j / bag * width, width), -step, target, target);
            }
        }

        /// <summary>PyTorch's SparseAdam: each id's rows summed (in the order its lookups come), then m, v and the table
        /// moved in that id's row only, the distinct ids in the order they first appear.</summary>
        public static void Adam(Span<float> table, ReadOnlySpan<int> ids, ReadOnlySpan<float> rows, Span<float> m, Span<float> v, int first, int count,
            int width, float scale, float lr, float beta1, float beta2, float epsilon, long step, Scratch scratch)
        {
            int bag = PerRow(ids.Length, rows.Length, width);
            int distinct = scratch.Combine(ids, rows, bag, first, count, width, scale);
            float c1 = 1 - MathF.Pow(beta1, step), c2 = 1 - MathF.Pow(beta2, step);
            float size = lr * MathF.Sqrt(c2) / c1;
            for (int u = 0; u < distinct; u++)
            {
                int local = scratch.Id(u) - first;
                var g = scratch.Row(u);
                var mu = m.Slice(local * width, width);
                var vu = v.Slice(local * width, width);
                var w = table.Slice(local * width, width);
                for (int d = 0; d < width; d++)
                {
                    mu[d] = beta1 * mu[d] + (1 - beta1) * g[d];
                    vu[d] = beta2 * vu[d] + (1 - beta2) * g[d] * g[d];
                    w[d] -= size * mu[d] / (MathF.Sqrt(vu[d]) + epsilon);
                }
            }
        }

        /// <summary>The op's workspace as an open-addressing hash from id to slot (2M slots, −1 empty), the slots' summed rows,
        /// and the distinct ids in the order they first appear.</summary>
        internal readonly ref struct Scratch
        {
            private readonly Span<int> _slots, _order;
            private readonly Span<float> _sums;
            private readonly int _width, _block;

            public Scratch(float* workspace, int lookups, int width, int block = 0)
            {
                _block = block;
                int capacity = 2 * lookups;
                _slots = new Span<int>(workspace, capacity);
                _order = new Span<int>(workspace + capacity, lookups);
                _sums = new Span<float>(workspace + capacity + lookups, capacity * width);
                _width = width;
            }

            public int Id(int u) => _slots[_order[u]];
            public ReadOnlySpan<float> Row(int u) => _sums.Slice(_order[u] * _width, _width);

            /// <summary>Sums each held id's rows into its slot; returns how many distinct ids there are.</summary>
            public int Combine(ReadOnlySpan<int> ids, ReadOnlySpan<float> rows, int bag, int first, int count, int width, float scale)
            {
                _slots.Fill(-1);
                int distinct = 0;
                for (int j = 0; j < ids.Length; j++)
                {
                    if ((uint)(ids[j] - first) >= (uint)count || !Counted(ids, j, _block)) continue;
                    int slot = (int)((uint)ids[j] * 2654435761u % (uint)_slots.Length);
                    while (_slots[slot] != -1 && _slots[slot] != ids[j]) slot = (slot + 1) % _slots.Length;
                    var sum = _sums.Slice(slot * width, width);
                    if (_slots[slot] == -1)
                    {
                        _slots[slot] = ids[j];
                        _order[distinct++] = slot;
                        sum.Clear();
                    }
                    TensorPrimitives.MultiplyAdd(rows.Slice(j / bag * width, width), scale, sum, sum);
                }
                return distinct;
            }
        }

        /// <summary>v = μ·v + g; w −= lr · v.</summary>
        public static void MomentumUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> v, float lr, float momentum, float gradScale = 1f)
        {
            TensorPrimitives.Multiply(v, momentum / gradScale, v);
            TensorPrimitives.Add(v, g, v);
            TensorPrimitives.Multiply(v, gradScale, v);
            TensorPrimitives.MultiplyAdd(v, -lr, w, w);
        }

        /// <summary>AdamW at step <paramref name="step"/> (from 1): m and v move toward g and g², bias-corrected;
        /// w −= lr · (m̂ / (√v̂ + ε) + decay · w). With decay 0 it is Adam.</summary>
        public static void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
            float lr, float beta1, float beta2, float epsilon, float decay, long step, float gradScale = 1f)
        {
            float c1 = 1 - MathF.Pow(beta1, step), c2 = 1 - MathF.Pow(beta2, step);
            int i = 0;
            // The vectors compute what the scalar loop does, operation for operation, so both give the same bits.
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> b1 = Vector256.Create(beta1), b2 = Vector256.Create(beta2), rest1 = Vector256.Create(1 - beta1),
                    rest2 = Vector256.Create(1 - beta2), scale = Vector256.Create(gradScale), rate = Vector256.Create(lr),
                    bias1 = Vector256.Create(c1), bias2 = Vector256.Create(c2), eps = Vector256.Create(epsilon), wd = Vector256.Create(decay);
                for (; i + Vector256<float>.Count <= w.Length; i += Vector256<float>.Count)
                {
                    var gi = Vector256.Create(g.Slice(i)) * scale;
                    var mi = b1 * Vector256.Create(m.Slice(i)) + rest1 * gi;
                    var vi = b2 * Vector256.Create(v.Slice(i)) + rest2 * gi * gi;
                    var wi = Vector256.Create(w.Slice(i));
                    mi.CopyTo(m.Slice(i));
                    vi.CopyTo(v.Slice(i));
                    (wi - rate * (mi / bias1 / (Vector256.Sqrt(vi / bias2) + eps) + wd * wi)).CopyTo(w.Slice(i));
                }
            }
            for (; i < w.Length; i++)
            {
                float gi = g[i] * gradScale;
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                w[i] -= lr * (m[i] / c1 / (MathF.Sqrt(v[i] / c2) + epsilon) + decay * w[i]);
            }
        }

        /// <summary>s += g²; w −= lr · g / (√s + ε).</summary>
        public static void AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> s, float lr, float epsilon, float gradScale = 1f)
        {
            for (int i = 0; i < w.Length; i++)
            {
                float gi = g[i] * gradScale;
                s[i] += gi * gi;
                w[i] -= lr * gi / (MathF.Sqrt(s[i]) + epsilon);
            }
        }

        /// <summary>w −= lr · g.</summary>
        public static void SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float lr, float gradScale = 1f) => TensorPrimitives.MultiplyAdd(g, -lr * gradScale, w, w);
    }
}
