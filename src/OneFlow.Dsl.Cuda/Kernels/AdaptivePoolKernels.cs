using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Adaptive pooling with the CPU's windows (<see cref="Runtime.Kernels.AdaptivePool"/>), one thread per
    /// output element; the mean's gradient gathers, per input pixel, from the windows over it.</summary>
    internal static class AdaptivePoolKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.AdaptiveAvgPool2d, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolSizes>(Average);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, Sizes(k.InShape(0), k.OutShape));
            });
            GpuKernels.Add(OpKind.AdaptiveAvgPool2dGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolSizes>(AverageGrad);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, Sizes(k.OutShape, k.InShape(0)));
            });
            GpuKernels.Add(OpKind.AdaptiveMaxArgmax, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, PoolSizes>(Argmax);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out.Cast<int>(), Sizes(k.InShape(0), k.OutShape));
            });
        }

        private static PoolSizes Sizes(Planner.Model.Shape input, Planner.Model.Shape output)
            => new PoolSizes { H = input[2], W = input[3], OutH = output[2], OutW = output[3] };

        private static int First(int index, int length, int count) => index * length / count;
        private static int End(int index, int length, int count) => ((index + 1) * length + count - 1) / count;

        public static void Average(Index1D o, ArrayView<float> x, ArrayView<float> y, PoolSizes s)
        {
            int plane = o / (s.OutH * s.OutW), i = o / s.OutW % s.OutH, j = o % s.OutW;
            long at = (long)plane * s.H * s.W;
            int top = First(i, s.H, s.OutH), bottom = End(i, s.H, s.OutH), left = First(j, s.W, s.OutW), right = End(j, s.W, s.OutW);
            float sum = 0f;
            for (int r = top; r < bottom; r++)
                for (int c = left; c < right; c++) sum += x[at + r * s.W + c];
            y[o] = sum / ((bottom - top) * (right - left));
        }

        /// <summary>dx at one pixel: each window over it gives its dy over its size. Window i reaches row h when
        /// ⌊iH/n⌋ ≤ h &lt; ⌈(i+1)H/n⌉, so i runs from ⌊hn/H⌋ (less one at most) to ⌊((h+1)n − 1)/H⌋.</summary>
        public static void AverageGrad(Index1D p, ArrayView<float> dy, ArrayView<float> dx, PoolSizes s)
        {
            int plane = p / (s.H * s.W), h = p / s.W % s.H, w = p % s.W;
            long at = (long)plane * s.OutH * s.OutW;
            float sum = 0f;
            for (int i = h * s.OutH / s.H > 0 ? h * s.OutH / s.H - 1 : 0; i < s.OutH && First(i, s.H, s.OutH) <= h; i++)
            {
                int top = First(i, s.H, s.OutH), bottom = End(i, s.H, s.OutH);
                if (h >= bottom) continue;
                for (int j = w * s.OutW / s.W > 0 ? w * s.OutW / s.W - 1 : 0; j < s.OutW && First(j, s.W, s.OutW) <= w; j++)
                {
                    int left = First(j, s.W, s.OutW), right = End(j, s.W, s.OutW);
                    if (w < right) sum += dy[at + i * s.OutW + j] / ((bottom - top) * (right - left));
                }
            }
            dx[p] = sum;
        }

        public static void Argmax(Index1D o, ArrayView<float> x, ArrayView<int> positions, PoolSizes s)
        {
            int plane = o / (s.OutH * s.OutW), i = o / s.OutW % s.OutH, j = o % s.OutW;
            long at = (long)plane * s.H * s.W;
            int top = First(i, s.H, s.OutH), bottom = End(i, s.H, s.OutH), left = First(j, s.W, s.OutW), right = End(j, s.W, s.OutW);
            int best = top * s.W + left;
            for (int r = top; r < bottom; r++)
                for (int c = left; c < right; c++)
                {
                    int q = r * s.W + c;
                    float v = x[at + q], m = x[at + best];
                    if (v > m || (float.IsNaN(v) && !float.IsNaN(m))) best = q;
                }
            positions[o] = best;
        }
    }
}
