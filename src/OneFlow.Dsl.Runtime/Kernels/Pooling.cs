using System;
using System.Runtime.CompilerServices;
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
            CpuKernels.Add(OpKind.MaxPoolArgmax, k => Argmax(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.OutInts));
            CpuKernels.Add(OpKind.PlaneGather, k => Gather(k.In(0), k.InShape(0)[2] * k.InShape(0)[3], k.Ints(1), k.OutShape[2] * k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.PlaneScatter, k => Scatter(k.In(0), k.Ints(1), k.InShape(0)[2] * k.InShape(0)[3], k.OutShape[2] * k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AvgPool2d, k => Average(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AvgPool2dGrad, k => AverageGrad(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.Out));
        }

        /// <summary>Per window, h·W + w of its first maximum (a NaN counts as the maximum, as in PyTorch). The
        /// comparisons select without branching: on real activations a branch would mispredict at every other pixel.</summary>
        public static void Argmax(ReadOnlySpan<float> x, int h, int w, PoolWindow p, int oh, int ow, Span<int> positions)
        {
            int planes = x.Length / (h * w);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int best = i * p.Stride * w + j * p.Stride;
                        float max = xs[best];
                        for (int a = 0; a < p.Kernel; a++)
                            for (int b = 0; b < p.Kernel; b++)
                            {
                                int at = (i * p.Stride + a) * w + j * p.Stride + b;
                                float v = xs[at];
                                bool take = v > max | (float.IsNaN(v) & !float.IsNaN(max));
                                max = take ? v : max;
                                best = take ? at : best;
                            }
                        positions[o] = best;
                    }
            }
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
