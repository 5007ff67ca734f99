using System;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The upsamplings (<c>UpsampleOps.cs</c>), a plane at a time: nearest repeats each source row's pixels
    /// <c>scale</c> times; bilinear blends two source rows by <see cref="UpsampleAttributes.Sample"/>'s weights.
    /// dx adds each dy back to its sources by the same weights.</summary>
    internal static class Upsample
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Upsample, k => Forward(k.In(0), k.InShape(0), k.Out, UpsampleOp.Attributes(k.Op)));
            CpuKernels.Add(OpKind.UpsampleGrad, k => Backward(k.In(0), k.Out, k.OutShape, UpsampleOp.Attributes(k.Op)));
        }

        public static void Forward(ReadOnlySpan<float> x, Shape sx, Span<float> y, UpsampleAttributes a)
        {
            int h = sx[2], w = sx[3], s = a.Scale, oh = h * s, ow = w * s;
            for (int plane = 0; plane < sx[0] * sx[1]; plane++)
            {
                var xp = x.Slice(plane * h * w, h * w);
                var yp = y.Slice(plane * oh * ow, oh * ow);
                for (int i = 0; i < oh; i++)
                {
                    var row = yp.Slice(i * ow, ow);
                    if (!a.Bilinear)
                    {
                        var source = xp.Slice(i / s * w, w);
                        for (int j = 0; j < ow; j++) row[j] = source[j / s];
                        continue;
                    }
                    UpsampleAttributes.Sample(i, s, h, out int r0, out int r1, out float ti);
                    ReadOnlySpan<float> top = xp.Slice(r0 * w, w), bottom = xp.Slice(r1 * w, w);
                    for (int j = 0; j < ow; j++)
                    {
                        UpsampleAttributes.Sample(j, s, w, out int c0, out int c1, out float tj);
                        float upper = top[c0] + tj * (top[c1] - top[c0]), lower = bottom[c0] + tj * (bottom[c1] - bottom[c0]);
                        row[j] = upper + ti * (lower - upper);
                    }
                }
            }
        }

        public static void Backward(ReadOnlySpan<float> dy, Span<float> dx, Shape sx, UpsampleAttributes a)
        {
            dx.Clear();
            int h = sx[2], w = sx[3], s = a.Scale, oh = h * s, ow = w * s;
            for (int plane = 0; plane < sx[0] * sx[1]; plane++)
            {
                var dxp = dx.Slice(plane * h * w, h * w);
                var dyp = dy.Slice(plane * oh * ow, oh * ow);
                for (int i = 0; i < oh; i++)
                {
                    var row = dyp.Slice(i * ow, ow);
                    if (!a.Bilinear)
                    {
                        var target = dxp.Slice(i / s * w, w);
                        for (int j = 0; j < ow; j++) target[j / s] += row[j];
                        continue;
                    }
                    UpsampleAttributes.Sample(i, s, h, out int r0, out int r1, out float ti);
                    Span<float> top = dxp.Slice(r0 * w, w), bottom = dxp.Slice(r1 * w, w);
                    for (int j = 0; j < ow; j++)
                    {
                        UpsampleAttributes.Sample(j, s, w, out int c0, out int c1, out float tj);
                        float g = row[j], upper = (1 - ti) * g, lower = ti * g;
                        top[c0] += (1 - tj) * upper;
                        top[c1] += tj * upper;
                        bottom[c0] += (1 - tj) * lower;
                        bottom[c1] += tj * lower;
                    }
                }
            }
        }
    }
}
