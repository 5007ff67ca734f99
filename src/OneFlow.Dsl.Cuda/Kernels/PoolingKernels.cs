using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A pooling's sizes as a kernel reads them, by value.</summary>
    internal struct PoolSizes
    {
        public int H, W, OutH, OutW, Kernel, Stride, Padding, CountIncludePad;

        public static PoolSizes Of(GpuKernelContext k, Planner.Model.Shape input, Planner.Model.Shape output)
        {
            var window = PoolWindow.Of(k.Op);
            return new PoolSizes
            {
                H = input[2], W = input[3], OutH = output[2], OutW = output[3], Kernel = window.Kernel, Stride = window.Stride,
                Padding = window.Padding, CountIncludePad = window.CountIncludePad ? 1 : 0,
            };
        }

        /// <summary>Window <paramref name="index"/> along an axis of <paramref name="length"/>: the positions it covers,
        /// [first, end), and its span with the border (as <see cref="PoolWindow.Span"/>).</summary>
        public void Span(int index, int length, out int first, out int end, out int padded)
        {
            int start = index * Stride - Padding, stop = start + Kernel < length + Padding ? start + Kernel : length + Padding;
            padded = stop - start;
            first = start > 0 ? start : 0;
            end = stop < length ? stop : length;
        }

        public int Divisor(int i, int j)
        {
            Span(i, H, out int top, out int bottom, out int rows);
            Span(j, W, out int left, out int right, out int columns);
            return CountIncludePad != 0 ? rows * columns : (bottom - top) * (right - left);
        }
    }

    /// <summary>Pooling with the CPU's formulas (see <c>Runtime.Kernels.Pooling</c>), one thread per output element;
    /// the gradients gather, except the scatter of a max pool's, which adds atomically into a cleared dx.</summary>
    internal static class PoolingKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.MaxPoolArgmax, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, PoolSizes>(Argmax);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out.Cast<int>(), PoolSizes.Of(k, k.InShape(0), k.OutShape));
            });
            GpuKernels.Add(OpKind.PlaneGather, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(Gather);
                return k => run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out, k.InShape(0)[2] * k.InShape(0)[3], k.OutShape[2] * k.OutShape[3]);
            });
            GpuKernels.Add(OpKind.PlaneScatter, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(Scatter);
                return k =>
                {
                    k.Out.MemSetToZero(k.Stream);
                    run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.Ints(1), k.Out, k.InShape(0)[2] * k.InShape(0)[3], k.OutShape[2] * k.OutShape[3]);
                };
            }, launches: _ => 2);
            GpuKernels.Add(OpKind.AvgPool2d, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolSizes>(Average);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, PoolSizes.Of(k, k.InShape(0), k.OutShape));
            });
            GpuKernels.Add(OpKind.AvgPool2dGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolSizes>(AverageGrad);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, PoolSizes.Of(k, k.OutShape, k.InShape(0)));
            });
        }

        public static void Argmax(Index1D o, ArrayView<float> x, ArrayView<int> positions, PoolSizes s)
        {
            int plane = o / (s.OutH * s.OutW), i = o / s.OutW % s.OutH, j = o % s.OutW;
            long at = (long)plane * s.H * s.W;
            s.Span(i, s.H, out int top, out int bottom, out _);
            s.Span(j, s.W, out int left, out int right, out _);
            int best = top * s.W + left;
            for (int r = top; r < bottom; r++)
                for (int c = left; c < right; c++)
                {
                    int p = r * s.W + c;
                    float v = x[at + p], m = x[at + best];
                    if (v > m || (float.IsNaN(v) && !float.IsNaN(m))) best = p;
                }
            positions[o] = best;
        }

        public static void Gather(Index1D o, ArrayView<float> x, ArrayView<int> positions, ArrayView<float> y, int pixels, int outPixels)
            => y[o] = x[(long)((int)o / outPixels) * pixels + positions[o]];

        public static void Scatter(Index1D o, ArrayView<float> dy, ArrayView<int> positions, ArrayView<float> dx, int outPixels, int pixels)
            => Atomic.Add(ref dx[(long)((int)o / outPixels) * pixels + positions[o]], dy[o]);

        public static void Average(Index1D o, ArrayView<float> x, ArrayView<float> y, PoolSizes s)
        {
            int plane = o / (s.OutH * s.OutW), i = o / s.OutW % s.OutH, j = o % s.OutW;
            long at = (long)plane * s.H * s.W;
            s.Span(i, s.H, out int top, out int bottom, out _);
            s.Span(j, s.W, out int left, out int right, out _);
            float sum = 0f;
            for (int r = top; r < bottom; r++)
                for (int c = left; c < right; c++) sum += x[at + r * s.W + c];
            y[o] = sum / s.Divisor(i, j);
        }

        /// <summary>dx at one pixel: dy of every window over it, each over its divisor.</summary>
        public static void AverageGrad(Index1D p, ArrayView<float> dy, ArrayView<float> dx, PoolSizes s)
        {
            int plane = p / (s.H * s.W), h = p / s.W % s.H, w = p % s.W;
            long at = (long)plane * s.OutH * s.OutW;
            float sum = 0f;
            for (int i = First(h, s); i <= (h + s.Padding) / s.Stride && i < s.OutH; i++)
                for (int j = First(w, s); j <= (w + s.Padding) / s.Stride && j < s.OutW; j++) sum += dy[at + i * s.OutW + j] / s.Divisor(i, j);
            dx[p] = sum;
        }

        /// <summary>The first window that reaches position <paramref name="x"/> (windows start at i·stride − padding).</summary>
        private static int First(int x, PoolSizes s) => x + s.Padding < s.Kernel ? 0 : (x + s.Padding - s.Kernel) / s.Stride + 1;
    }
}
