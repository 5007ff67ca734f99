using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A pooling's sizes as a kernel reads them, by value.</summary>
    internal struct PoolSizes
    {
        public int H, W, OutH, OutW, Kernel, Stride;

        public static PoolSizes Of(GpuKernelContext k, Planner.Model.Shape input, Planner.Model.Shape output)
        {
            var window = PoolWindow.Of(k.Op);
            return new PoolSizes { H = input[2], W = input[3], OutH = output[2], OutW = output[3], Kernel = window.Kernel, Stride = window.Stride };
        }
    }

    /// <summary>Pooling with the CPU's formulas (see <c>Runtime.Kernels.Pooling</c>), one thread per output element;
    /// the gradients gather, except the scatter of a max pool's, which adds atomically into a cleared dx.</summary>
    internal static class PoolKernels
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
            int best = i * s.Stride * s.W + j * s.Stride;
            for (int a = 0; a < s.Kernel; a++)
                for (int b = 0; b < s.Kernel; b++)
                {
                    int p = (i * s.Stride + a) * s.W + j * s.Stride + b;
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
            float sum = 0f;
            for (int a = 0; a < s.Kernel; a++)
                for (int b = 0; b < s.Kernel; b++) sum += x[at + (i * s.Stride + a) * s.W + j * s.Stride + b];
            y[o] = sum * (1f / (s.Kernel * s.Kernel));
        }

        /// <summary>dx at one pixel: dy of every window over it, each over kernel².</summary>
        public static void AverageGrad(Index1D p, ArrayView<float> dy, ArrayView<float> dx, PoolSizes s)
        {
            int plane = p / (s.H * s.W), h = p / s.W % s.H, w = p % s.W;
            long at = (long)plane * s.OutH * s.OutW;
            float sum = 0f;
            for (int i = Start(h, s); i <= h / s.Stride && i < s.OutH; i++)
                for (int j = Start(w, s); j <= w / s.Stride && j < s.OutW; j++) sum += dy[at + i * s.OutW + j];
            dx[p] = sum * (1f / (s.Kernel * s.Kernel));
        }

        /// <summary>The first window that reaches position <paramref name="x"/>.</summary>
        private static int Start(int x, PoolSizes s) => x < s.Kernel ? 0 : (x - s.Kernel) / s.Stride + 1;
    }
}
