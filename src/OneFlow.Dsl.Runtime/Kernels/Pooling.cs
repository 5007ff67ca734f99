using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Max and average pooling over each H×W plane of [N, C, H, W], and their gradients. A max pool is the
    /// position of each window's maximum, then a gather of the values there; its gradient scatters dy back.</summary>
    internal static class Pooling
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.MaxPoolArgmax, Argmax);
            CpuKernels.Add(OpKind.PlaneGather, k => Gather(k.In(0), k.InShape(0)[2] * k.InShape(0)[3], k.Ints(1), k.OutShape[2] * k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.PlaneScatter, k => Scatter(k.In(0), k.Ints(1), k.InShape(0)[2] * k.InShape(0)[3], k.OutShape[2] * k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AvgPool2d, k => Average(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AvgPool2dGrad, k => AverageGrad(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.Out));
        }

        /// <summary>Per window, h·W + w of its first maximum (a NaN counts as the maximum, as in PyTorch), the planes
        /// split over the kernel threads. The comparisons select without branching: on real activations a branch would
        /// mispredict at every other pixel.</summary>
        private static void Argmax(CpuKernelContext k)
            => ParallelRanges.Run(k, static (k, first, last) =>
            {
                int h = k.InShape(0)[2], w = k.InShape(0)[3], oh = k.OutShape[2], ow = k.OutShape[3];
                Argmax(k.In(0)[(first * h * w)..(last * h * w)], h, w, PoolWindow.Of(k.Op), oh, ow, k.OutInts[(first * oh * ow)..(last * oh * ow)]);
            }, (int)(k.InShape(0).Elements / (k.InShape(0)[2] * k.InShape(0)[3])), k.InShape(0).Elements);

        public static void Argmax(ReadOnlySpan<float> x, int h, int w, PoolWindow p, int oh, int ow, Span<int> positions)
        {
            int planes = x.Length / (h * w);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                if (p.Kernel == 2 && p.Stride == 2) { Argmax2x2(xs, w, oh, ow, positions.Slice(o, oh * ow)); o += oh * ow; continue; }
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int best = i * p.Stride * w + j * p.Stride;
                        float max = xs[best];
                        for (int a = 0; a < p.Kernel; a++)
                            for (int b = 0; b < p.Kernel; b++)
                            {
                                int at = (i * p.Stride + a) * w + j * p.Stride + b;
                                Consider(xs[at], at, ref max, ref best);
                            }
                        positions[o] = best;
                    }
            }
        }

        /// <summary>The 2×2, stride 2 pool every CNN uses, its window unrolled in the general loop's order (so the same
        /// first maximum) and read without bounds checks.</summary>
        private static void Argmax2x2(ReadOnlySpan<float> plane, int w, int oh, int ow, Span<int> positions)
        {
            if (plane.Length < (2 * oh - 1) * w + 2 * ow) throw new ArgumentException("The plane is smaller than its windows.");
            ref float x = ref MemoryMarshal.GetReference(plane);
            for (int i = 0, o = 0; i < oh; i++)
            {
                int row = 2 * i * w;
                for (int j = 0; j < ow; j++, o++)
                {
                    int best = row + 2 * j;
                    float max = Unsafe.Add(ref x, best);
                    int at = best;
                    Consider(Unsafe.Add(ref x, at + 1), at + 1, ref max, ref best);
                    Consider(Unsafe.Add(ref x, at + w), at + w, ref max, ref best);
                    Consider(Unsafe.Add(ref x, at + w + 1), at + w + 1, ref max, ref best);
                    positions[o] = best;
                }
            }
        }

        /// <summary>Takes <paramref name="v"/>, at <paramref name="at"/>, if it beats the window's maximum so far.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Consider(float v, int at, ref float max, ref int best)
        {
            bool take = v > max | (float.IsNaN(v) & !float.IsNaN(max));
            max = take ? v : max;
            best = take ? at : best;
        }

        /// <summary>y[plane, i] = x[plane, positions[plane, i]].</summary>
        public static void Gather(ReadOnlySpan<float> x, int pixels, ReadOnlySpan<int> positions, int outPixels, Span<float> y)
        {
            for (int plane = 0, o = 0; o < y.Length; plane++)
            {
                var xs = x.Slice(plane * pixels, pixels);
                for (int end = o + outPixels; o < end; o++) y[o] = xs[positions[o]];
            }
        }

        /// <summary>dx = 0, then dx[plane, positions[plane, i]] += dy[plane, i].</summary>
        public static void Scatter(ReadOnlySpan<float> dy, ReadOnlySpan<int> positions, int outPixels, int pixels, Span<float> dx)
        {
            dx.Clear();
            for (int plane = 0, o = 0; o < dy.Length; plane++)
            {
                var ds = dx.Slice(plane * pixels, pixels);
                for (int end = o + outPixels; o < end; o++) ds[positions[o]] += dy[o];
            }
        }

        public static void Average(ReadOnlySpan<float> x, int h, int w, PoolWindow p, int oh, int ow, Span<float> y)
        {
            int planes = x.Length / (h * w);
            float scale = 1f / (p.Kernel * p.Kernel);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        float sum = 0;
                        for (int a = 0; a < p.Kernel; a++)
                            for (int b = 0; b < p.Kernel; b++) sum += xs[(i * p.Stride + a) * w + j * p.Stride + b];
                        y[o] = sum * scale;
                    }
            }
        }

        /// <summary>dx = 0, then each dy / kernel² added to every pixel of its window.</summary>
        public static void AverageGrad(ReadOnlySpan<float> dy, int oh, int ow, PoolWindow p, int h, int w, Span<float> dx)
        {
            dx.Clear();
            int planes = dx.Length / (h * w);
            float scale = 1f / (p.Kernel * p.Kernel);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var ds = dx.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        float share = dy[o] * scale;
                        for (int a = 0; a < p.Kernel; a++)
                            for (int b = 0; b < p.Kernel; b++) ds[(i * p.Stride + a) * w + j * p.Stride + b] += share;
                    }
            }
        }
    }
}
