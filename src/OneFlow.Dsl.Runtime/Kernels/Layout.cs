using System;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The layout ops of <c>LayoutOps.cs</c>, copies of runs of a row-major tensor: reshapes, permutations,
    /// transposes, and along one axis of a tensor seen as [outer, axis, inner] slicing, un-slicing (the slice's
    /// gradient) and concatenation.</summary>
    internal static class Layout
    {
        [ModuleInitializer]
        internal static void Register()
        {
            // A reshape keeps each device's run of elements (its signatures ensure it), so it is a copy.
            CpuKernels.Add(OpKind.Reshape, k => k.In(0).CopyTo(k.Out));
            CpuKernels.Add(OpKind.Permute, k => Permute(k.In(0), k.InShape(0), k.Cached(c => PermuteOp.Axes(c.Op)), k.Out));
            CpuKernels.Add(OpKind.Transpose, k => Transpose(k.In(0), k.InShape(0)[k.InShape(0).Rank - 2], k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.Slice, k =>
            {
                var (axis, start, length) = SliceOp.Attributes(k.Op);
                Slice(k.In(0), k.InShape(0)[axis], start, length, Inner(k.InShape(0), axis), k.Out);
            });
            CpuKernels.Add(OpKind.SliceGrad, k =>
            {
                var (axis, start, full) = SliceGradOp.Attributes(k.Op);
                Unslice(k.In(0), full, start, k.InShape(0)[axis], Inner(k.InShape(0), axis), k.Out);
            });
            CpuKernels.Add(OpKind.Concat, k =>
            {
                int axis = ConcatOp.Axis(k.Op), full = k.OutShape[axis], inner = Inner(k.OutShape, axis), start = 0;
                for (int i = 0; i < k.Geometry.Inputs.Length; i++)
                {
                    int length = k.InShape(i)[axis];
                    Place(k.In(i), full, start, length, inner, k.Out);
                    start += length;
                }
            });
        }

        /// <summary>y[o, 0..length, :] = x[o, start..start+length, :]; x's axis has <paramref name="full"/> entries.</summary>
        public static void Slice(ReadOnlySpan<float> x, int full, int start, int length, int inner, Span<float> y)
        {
            int outer = x.Length / (full * inner);
            for (int o = 0; o < outer; o++)
                x.Slice((o * full + start) * inner, length * inner).CopyTo(y.Slice(o * length * inner, length * inner));
        }

        /// <summary>The gradient of <see cref="Slice"/>: dy placed at start in zeros of the full axis.</summary>
        public static void Unslice(ReadOnlySpan<float> dy, int full, int start, int length, int inner, Span<float> dx)
        {
            dx.Clear();
            int outer = dy.Length / (length * inner);
            for (int o = 0; o < outer; o++)
                dy.Slice(o * length * inner, length * inner).CopyTo(dx.Slice((o * full + start) * inner, length * inner));
        }

        /// <summary>One operand of a concatenation in its place: y[o, start..start+length, :] = x[o]; y's axis has
        /// <paramref name="full"/> entries.</summary>
        public static void Place(ReadOnlySpan<float> x, int full, int start, int length, int inner, Span<float> y)
        {
            int outer = x.Length / (length * inner);
            for (int o = 0; o < outer; o++)
                x.Slice(o * length * inner, length * inner).CopyTo(y.Slice((o * full + start) * inner, length * inner));
        }

        /// <summary>y = xᵀ for each rows×cols matrix of a batch (a single matrix is a batch of one).</summary>
        public static void Transpose(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
        {
            int size = rows * cols;
            for (int b = 0; b < x.Length / size; b++)
            {
                var from = x.Slice(b * size, size);
                var to = y.Slice(b * size, size);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) to[c * rows + r] = from[r * cols + c];
            }
        }

        /// <summary>y = x with its axes reordered: y's axis i is x's axis <paramref name="axes"/>[i]
        /// (<paramref name="x"/>'s shape is <paramref name="shape"/>).</summary>
        public static void Permute(ReadOnlySpan<float> x, Shape shape, ReadOnlySpan<int> axes, Span<float> y)
        {
            int rank = shape.Rank;
            // The trailing axes the permutation leaves in place are runs contiguous in x and y alike: attention's
            // [B,T,H,D] → [B,H,T,D] moves runs of D elements, not elements.
            int kept = rank;
            while (kept > 0 && axes[kept - 1] == kept - 1) kept--;
            int run = 1;
            for (int k = kept; k < rank; k++) run *= shape[k];
            Span<long> inStride = stackalloc long[rank];
            long stride = 1;
            for (int k = rank - 1; k >= 0; k--) { inStride[k] = stride; stride *= shape[k]; }
            Span<int> dims = stackalloc int[kept];
            Span<long> step = stackalloc long[kept];
            for (int i = 0; i < kept; i++) { dims[i] = shape[axes[i]]; step[i] = inStride[axes[i]]; }
            Span<int> index = stackalloc int[kept];
            long offset = 0;
            for (int o = 0; o < y.Length; o += run)
            {
                if (run == 1) y[o] = x[(int)offset];
                else x.Slice((int)offset, run).CopyTo(y.Slice(o, run));
                for (int k = kept - 1; k >= 0; k--)
                {
                    offset += step[k];
                    if (++index[k] < dims[k]) break;
                    offset -= step[k] * dims[k];
                    index[k] = 0;
                }
            }
        }

        /// <summary>The product of the dimensions after <paramref name="axis"/>.</summary>
        public static int Inner(Shape shape, int axis)
        {
            int inner = 1;
            for (int a = axis + 1; a < shape.Rank; a++) inner *= shape[a];
            return inner;
        }
    }
}
