using System;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Adaptive pooling over each H×W plane of [N, C, H, W] (<c>AdaptivePoolOps.cs</c>): windows cut by
    /// <see cref="AdaptivePool.Span"/>, a mean or the position of the first maximum (NaN wins, as in PyTorch).</summary>
    internal static class AdaptivePool
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.AdaptiveAvgPool2d, k => Average(k.In(0), k.InShape(0)[2], k.InShape(0)[3], k.OutShape[2], k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AdaptiveAvgPool2dGrad, k => AverageGrad(k.In(0), k.InShape(0)[2], k.InShape(0)[3], k.OutShape[2], k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AdaptiveMaxArgmax, k => Argmax(k.In(0), k.InShape(0)[2], k.InShape(0)[3], k.OutShape[2], k.OutShape[3], k.OutInts));
        }

        public static void Average(ReadOnlySpan<float> x, int h, int w, int oh, int ow, Span<float> y)
        {
            for (int plane = 0, o = 0; o < y.Length; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var (top, bottom) = Planner.Ops.AdaptivePool.Span(i, h, oh);
                    for (int j = 0; j < ow; j++, o++)
                    {
                        var (left, right) = Planner.Ops.AdaptivePool.Span(j, w, ow);
                        float sum = 0;
                        for (int r = top; r < bottom; r++)
                            for (int c = left; c < right; c++) sum += xs[r * w + c];
                        y[o] = sum / ((bottom - top) * (right - left));
                    }
                }
            }
        }

        /// <summary>dx = 0, then each dy over its window's size added to every pixel of the window.</summary>
        public static void AverageGrad(ReadOnlySpan<float> dy, int oh, int ow, int h, int w, Span<float> dx)
        {
            dx.Clear();
            for (int plane = 0, o = 0; o < dy.Length; plane++)
            {
                var ds = dx.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var (top, bottom) = Planner.Ops.AdaptivePool.Span(i, h, oh);
                    for (int j = 0; j < ow; j++, o++)
                    {
                        var (left, right) = Planner.Ops.AdaptivePool.Span(j, w, ow);
                        float share = dy[o] / ((bottom - top) * (right - left));
                        for (int r = top; r < bottom; r++)
                            for (int c = left; c < right; c++) ds[r * w + c] += share;
                    }
                }
            }
        }

        public static void Argmax(ReadOnlySpan<float> x, int h, int w, int oh, int ow, Span<int> positions)
        {
            for (int plane = 0, o = 0; o < positions.Length; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var (top, bottom) = Planner.Ops.AdaptivePool.Span(i, h, oh);
                    for (int j = 0; j < ow; j++, o++)
                    {
                        var (left, right) = Planner.Ops.AdaptivePool.Span(j, w, ow);
                        int best = top * w + left;
                        for (int r = top; r < bottom; r++)
                            for (int c = left; c < right; c++)
                            {
                                float v = xs[r * w + c], max = xs[best];
                                if (v > max || (float.IsNaN(v) && !float.IsNaN(max))) best = r * w + c;
                            }
                        positions[o] = best;
                    }
                }
            }
        }
    }
}
