using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The indexing ops (<c>IndexingOps.cs</c>): a gather walks the index element by element, reading x at
    /// the index's position with the indexed coordinate replaced; an index select copies whole runs of x (everything
    /// after the axis) as vectors. Their gradients add back the same way. An index outside x is refused with the
    /// place it was found.</summary>
    internal static class Indexing
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Gather, k => Gather(k.In(0), k.InShape(0), k.Ints(1), k.InShape(1), AxisOf(k), k.Out, add: false));
            CpuKernels.Add(OpKind.GatherGrad, k =>
            {
                k.Out.Clear();
                Gather(k.In(0), k.OutShape, k.Ints(1), k.InShape(1), GatherGradOp.Axis(k.Op), k.Out, add: true);
            });
            CpuKernels.Add(OpKind.IndexSelect, k => Select(k.In(0), k.InShape(0), k.Ints(1), AxisOf(k), k.Out, add: false));
            CpuKernels.Add(OpKind.IndexSelectGrad, k =>
            {
                k.Out.Clear();
                Select(k.In(0), k.OutShape, k.Ints(1), k.Op.Get<IndexingAttributes>().Axis, k.Out, add: true);
            });
        }

        private static int AxisOf(CpuKernelContext k) => k.Op.Get<IndexingAttributes>().AxisOf(k.InShape(0).Rank);

        /// <summary>y[e] = x[at e, the axis's coordinate replaced by index[e]]; with <paramref name="add"/>, the other
        /// way: x (the gradient, <paramref name="values"/> being dy) gets dy[e] added there.</summary>
        public static void Gather(ReadOnlySpan<float> values, Shape sx, ReadOnlySpan<int> index, Shape si, int axis, Span<float> target, bool add)
        {
            int rank = si.Rank;
            Span<long> stride = stackalloc long[rank];
            for (long s = 1, d = rank - 1; d >= 0; d--) { stride[(int)d] = s; s *= sx[(int)d]; }
            Span<int> at = stackalloc int[rank];
            long offset = 0;
            for (int e = 0; e < index.Length; e++)
            {
                int v = Checked(index[e], sx[axis], "Gather");
                long x = offset + v * stride[axis];
                if (add) target[(int)x] += values[e];
                else target[e] = values[(int)x];
                for (int d = rank - 1; d >= 0; d--)
                {
                    if (d != axis) offset += stride[d];
                    if (++at[d] < si[d]) break;
                    if (d != axis) offset -= stride[d] * si[d];
                    at[d] = 0;
                }
            }
        }

        /// <summary>y[o, i, :] = x[o, ids[i], :] over the axis; with <paramref name="add"/>, x[o, ids[i], :] += dy[o, i, :].</summary>
        public static void Select(ReadOnlySpan<float> values, Shape sx, ReadOnlySpan<int> ids, int axis, Span<float> target, bool add)
        {
            int n = sx[axis], k = ids.Length;
            long inner = 1, outer = 1;
            for (int d = axis + 1; d < sx.Rank; d++) inner *= sx[d];
            for (int d = 0; d < axis; d++) outer *= sx[d];
            int run = (int)inner;
            for (long o = 0; o < outer; o++)
                for (int i = 0; i < k; i++)
                {
                    int row = Checked(ids[i], n, "IndexSelect");
                    int x = (int)((o * n + row) * inner), y = (int)((o * k + i) * inner);
                    if (add) TensorPrimitives.Add(target.Slice(x, run), values.Slice(y, run), target.Slice(x, run));
                    else values.Slice(x, run).CopyTo(target.Slice(y, run));
                }
        }

        private static int Checked(int index, int length, string op)
            => (uint)index < (uint)length ? index : throw new IndexOutOfRangeException($"{op}: index {index} is outside an axis of length {length}; indices run from 0 to {length - 1}.");
    }
}
