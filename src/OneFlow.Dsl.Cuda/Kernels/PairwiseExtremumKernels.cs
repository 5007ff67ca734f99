using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Maximum, minimum and their gradient shares with the CPU's rules (<see cref="Runtime.Kernels.PairwiseExtremum"/>),
    /// one thread per output element reading the operands by their broadcast strides. NaN propagates explicitly:
    /// CUDA's fmaxf would drop it.</summary>
    internal static class PairwiseExtremumKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            Extremum(OpKind.Maximum, 0);
            Extremum(OpKind.Minimum, 1);
            GpuKernels.Add(OpKind.PairwiseExtremumGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, int, int>(Share);
                return k =>
                {
                    var attributes = PairwiseExtremumGradOp.Attributes(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.In(1), k.In(2), k.Out, k.Cached(c => BroadcastLayout.Of(c.InShape(1), c.InShape(2), c.OutShape)),
                        attributes.Minimum ? 1 : 0, attributes.Side);
                };
            });
        }

        private static void Extremum(OpKind kind, int minimum)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, int>(Pick);
                return k => run(k.Stream, k.Threads, k.In(0), k.In(1), k.Out, k.Cached(c => BroadcastLayout.Of(c.InShape(0), c.InShape(1), c.OutShape)), minimum);
            });

        public static void Pick(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, BroadcastLayout l, int minimum)
        {
            BroadcastLayout.Offsets(i, l, out int ao, out int bo);
            float u = a[ao], v = b[bo];
            y[i] = float.IsNaN(u) || float.IsNaN(v) ? float.NaN : (minimum != 0 ? (u < v ? u : v) : (u > v ? u : v));
        }

        public static void Share(Index1D i, ArrayView<float> dy, ArrayView<float> a, ArrayView<float> b, ArrayView<float> dx, BroadcastLayout l, int minimum, int side)
        {
            BroadcastLayout.Offsets(i, l, out int ao, out int bo);
            float u = a[ao], v = b[bo], g = dy[i];
            bool aLoses = minimum != 0 ? u > v : u < v, bLoses = minimum != 0 ? u < v : u > v;
            dx[i] = u == v ? 0.5f * g : (side == 0 ? aLoses : bLoses) ? 0f : g;
        }
    }
}
