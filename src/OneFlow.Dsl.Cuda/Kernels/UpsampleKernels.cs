using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The upsamplings with the CPU's rules (<see cref="Runtime.Kernels.Upsample"/>): one thread per output
    /// element; dx cleared, then each dy element added to its sources by their weights (atomically: sources are shared).</summary>
    internal static class UpsampleKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Upsample, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(Forward);
                return k =>
                {
                    var u = UpsampleOp.Attributes(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.InShape(0)[2], k.InShape(0)[3], u.Scale, u.Bilinear ? 1 : 0);
                };
            });
            GpuKernels.Add(OpKind.UpsampleGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(Backward);
                return k =>
                {
                    var u = UpsampleOp.Attributes(k.Op);
                    k.Out.MemSetToZero(k.Stream);
                    run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.Out, k.OutShape[2], k.OutShape[3], u.Scale, u.Bilinear ? 1 : 0);
                };
            }, launches: _ => 2);
        }

        public static void Forward(Index1D index, ArrayView<float> x, ArrayView<float> y, int h, int w, int s, int bilinear)
        {
            int ow = w * s, oh = h * s, j = index % ow, i = index / ow % oh, plane = index / (ow * oh);
            long at = (long)plane * h * w;
            if (bilinear == 0)
            {
                y[index] = x[at + i / s * w + j / s];
                return;
            }
            UpsampleAttributes.Sample(i, s, h, out int r0, out int r1, out float ti);
            UpsampleAttributes.Sample(j, s, w, out int c0, out int c1, out float tj);
            float t0 = x[at + r0 * w + c0], t1 = x[at + r0 * w + c1], b0 = x[at + r1 * w + c0], b1 = x[at + r1 * w + c1];
            float upper = t0 + tj * (t1 - t0), lower = b0 + tj * (b1 - b0);
            y[index] = upper + ti * (lower - upper);
        }

        public static void Backward(Index1D index, ArrayView<float> dy, ArrayView<float> dx, int h, int w, int s, int bilinear)
        {
            int ow = w * s, oh = h * s, j = index % ow, i = index / ow % oh, plane = index / (ow * oh);
            long at = (long)plane * h * w;
            float g = dy[index];
            if (bilinear == 0)
            {
                Atomic.Add(ref dx[at + i / s * w + j / s], g);
                return;
            }
            UpsampleAttributes.Sample(i, s, h, out int r0, out int r1, out float ti);
            UpsampleAttributes.Sample(j, s, w, out int c0, out int c1, out float tj);
            float upper = (1 - ti) * g, lower = ti * g;
            Atomic.Add(ref dx[at + r0 * w + c0], (1 - tj) * upper);
            Atomic.Add(ref dx[at + r0 * w + c1], tj * upper);
            Atomic.Add(ref dx[at + r1 * w + c0], (1 - tj) * lower);
            Atomic.Add(ref dx[at + r1 * w + c1], tj * lower);
        }
    }
}
