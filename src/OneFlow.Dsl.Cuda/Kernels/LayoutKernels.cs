using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Kernels that move elements without arithmetic (transpose, slice, its gradient, concat) and the
    /// embedding lookup, one thread per output element. The embedding's gradient sums each table entry's
    /// contributions in id order, without atomics, so that it gives the same bits on every run.</summary>
    internal static class LayoutKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            // A reshape keeps each device's run of elements (its signatures ensure it), so it is a copy.
            GpuKernels.Add(OpKind.Reshape, _ => k => k.In(0).SubView(0, k.Out.Length).CopyTo(k.Stream, k.Out));
            GpuKernels.Add(OpKind.Transpose, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(Transpose);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, k.InShape(0)[k.InShape(0).Rank - 2], k.LastOf(0));
            });
            GpuKernels.Add(OpKind.Permute, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, BroadcastLayout>(Permute);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, k.Cached(c => BroadcastLayout.Permuted(c.InShape(0), PermuteOp.Axes(c.Op))));
            });
            GpuKernels.Add(OpKind.Slice, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(Slice);
                return k =>
                {
                    var (axis, start, length) = SliceOp.Attributes(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.InShape(0)[axis], start, length, Layout.Inner(k.InShape(0), axis));
                };
            });
            GpuKernels.Add(OpKind.SliceGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(Unslice);
                return k =>
                {
                    var (axis, start, full) = SliceGradOp.Attributes(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.Out, full, start, k.InShape(0)[axis], Layout.Inner(k.InShape(0), axis));
                };
            });
            GpuKernels.Add(OpKind.Concat, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(Place);
                return k =>
                {
                    int axis = ConcatOp.Axis(k.Op), full = k.OutShape[axis], inner = Layout.Inner(k.OutShape, axis), start = 0;
                    for (int i = 0; i < k.Geometry.Inputs.Length; i++)
                    {
                        int length = k.InShape(i)[axis];
                        run(k.Stream, GpuKernelContext.Count(k.In(i)), k.In(i), k.Out, full, start, length, inner);
                        start += length;
                    }
                };
            }, launches: g => g.Inputs.Length);
        }

        /// <summary>Each rows×cols matrix of a batch transposed.</summary>
        public static void Transpose(Index1D i, ArrayView<float> x, ArrayView<float> y, int rows, int cols)
        {
            int size = rows * cols, b = i / size, j = i % size;
            int c = j / rows, r = j % rows;
            y[i] = x[b * size + r * cols + c];
        }

        /// <summary>y's element i from x through the permutation's strides (see <see cref="BroadcastLayout"/>: the
        /// output's four padded dimensions and, per output axis, the input's stride along it).</summary>
        public static void Permute(Index1D i, ArrayView<float> x, ArrayView<float> y, BroadcastLayout l)
        {
            int r = i;
            int c3 = r % l.D3; r /= l.D3;
            int c2 = r % l.D2; r /= l.D2;
            int c1 = r % l.D1;
            int c0 = r / l.D1;
            y[i] = x[c0 * l.A0 + c1 * l.A1 + c2 * l.A2 + c3 * l.A3];
        }

        /// <summary>x seen as [outer, full, inner]; y is [outer, length, inner] from <paramref name="start"/>.</summary>
        public static void Slice(Index1D i, ArrayView<float> x, ArrayView<float> y, int full, int start, int length, int inner)
        {
            int o = i / (length * inner), rest = i % (length * inner);
            y[i] = x[(o * full + start) * inner + rest];
        }

        public static void Unslice(Index1D i, ArrayView<float> dy, ArrayView<float> dx, int full, int start, int length, int inner)
        {
            int o = i / (full * inner), f = i / inner % full, k = i % inner;
            dx[i] = f >= start && f < start + length ? dy[(o * length + f - start) * inner + k] : 0f;
        }

        /// <summary>One operand of a concatenation written into its place: x [outer, length, inner] at
        /// <paramref name="start"/> of y's axis of <paramref name="full"/>.</summary>
        public static void Place(Index1D i, ArrayView<float> x, ArrayView<float> y, int full, int start, int length, int inner)
        {
            int o = i / (length * inner), f = i / inner % length, k = i % inner;
            y[((long)o * full + start + f) * inner + k] = x[i];
        }
    }
}
