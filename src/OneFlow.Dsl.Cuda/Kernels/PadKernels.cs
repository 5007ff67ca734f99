using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A pad's sizes as a kernel reads them: the output's and x's four dimensions (padded in front with 1) and
    /// the width before each.</summary>
    internal struct PadLayout
    {
        public int Y0, Y1, Y2, Y3, X0, X1, X2, X3, B0, B1, B2, B3, Mode;
        public float Value;

        public static PadLayout Of(Shape x, Shape y, PadAttributes a)
        {
            int[] xs = BroadcastLayout.Padded(x), ys = BroadcastLayout.Padded(y), before = new int[BroadcastLayout.MaxRank];
            for (int k = 0; k < x.Rank; k++) before[BroadcastLayout.MaxRank - x.Rank + k] = a.Before(k, x.Rank);
            return new PadLayout
            {
                Y0 = ys[0], Y1 = ys[1], Y2 = ys[2], Y3 = ys[3], X0 = xs[0], X1 = xs[1], X2 = xs[2], X3 = xs[3],
                B0 = before[0], B1 = before[1], B2 = before[2], B3 = before[3], Mode = (int)a.Mode, Value = (float)a.Value,
            };
        }

        /// <summary>The element of x output element <paramref name="i"/> copies, or −1 in a constant border.</summary>
        public static int Source(int i, PadLayout l)
        {
            int r = i;
            int c3 = r % l.Y3; r /= l.Y3;
            int c2 = r % l.Y2; r /= l.Y2;
            int c1 = r % l.Y1;
            int c0 = r / l.Y1;
            int s0 = PadAttributes.Source(c0 - l.B0, l.X0, l.Mode), s1 = PadAttributes.Source(c1 - l.B1, l.X1, l.Mode);
            int s2 = PadAttributes.Source(c2 - l.B2, l.X2, l.Mode), s3 = PadAttributes.Source(c3 - l.B3, l.X3, l.Mode);
            return s0 < 0 || s1 < 0 || s2 < 0 || s3 < 0 ? -1 : ((s0 * l.X1 + s1) * l.X2 + s2) * l.X3 + s3;
        }
    }

    /// <summary>The pads with the CPU's rule (<see cref="Runtime.Kernels.Pad"/>): one thread per output element; dx
    /// cleared, then each dy element added to the element it copied (atomically: a border copies an edge many times).</summary>
    internal static class PadKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Pad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PadLayout>(Forward);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, k.Cached(c => PadLayout.Of(c.InShape(0), c.OutShape, PadOp.Attributes(c.Op))));
            });
            GpuKernels.Add(OpKind.PadGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PadLayout>(Backward);
                return k =>
                {
                    k.Out.MemSetToZero(k.Stream);
                    run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.Out, k.Cached(c => PadLayout.Of(c.OutShape, c.InShape(0), PadOp.Attributes(c.Op))));
                };
            }, launches: _ => 2);
        }

        public static void Forward(Index1D i, ArrayView<float> x, ArrayView<float> y, PadLayout l)
        {
            int s = PadLayout.Source(i, l);
            y[i] = s < 0 ? l.Value : x[s];
        }

        public static void Backward(Index1D i, ArrayView<float> dy, ArrayView<float> dx, PadLayout l)
        {
            int s = PadLayout.Source(i, l);
            if (s >= 0) Atomic.Add(ref dx[s], dy[i]);
        }
    }
}
