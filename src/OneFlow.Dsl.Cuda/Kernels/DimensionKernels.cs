using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>x repeated to the shape it broadcasts to, one thread per output element reading x by its broadcast
    /// strides (<see cref="BroadcastLayout"/>), as <see cref="Runtime.Kernels.Dimension"/>.</summary>
    internal static class DimensionKernels
    {
        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.BroadcastTo, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, BroadcastLayout>(BroadcastTo);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, k.Cached(c => BroadcastLayout.Of(c.InShape(0), c.InShape(0), c.OutShape)));
            });

        public static void BroadcastTo(Index1D i, ArrayView<float> x, ArrayView<float> y, BroadcastLayout l)
        {
            int r = i;
            int c3 = r % l.D3; r /= l.D3;
            int c2 = r % l.D2; r /= l.D2;
            int c1 = r % l.D1;
            int c0 = r / l.D1;
            y[i] = x[c0 * l.A0 + c1 * l.A1 + c2 * l.A2 + c3 * l.A3];
        }
    }
}
