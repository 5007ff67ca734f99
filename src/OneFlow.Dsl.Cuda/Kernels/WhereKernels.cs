using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The masked ops with the CPU's rules (<see cref="Runtime.Kernels.Where"/>), one thread per output
    /// element reading each operand by its broadcast strides.</summary>
    internal static class WhereKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Where, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, BroadcastLayout>(Choose);
                return k =>
                {
                    var (ma, bb) = k.Cached(c => (BroadcastLayout.Of(c.InShape(0), c.InShape(1), c.OutShape), BroadcastLayout.Of(c.InShape(2), c.InShape(2), c.OutShape)));
                    run(k.Stream, k.Threads, k.Ints(0), k.In(1), k.In(2), k.Out, ma, bb);
                };
            });
            Filling(OpKind.MaskedFill, k => (MaskedFillOp.Value(k.Op), 1));
            // dy where the mask is WhereTrue: zeros written where it is not.
            Filling(OpKind.WhereGrad, k => (0f, WhereGradOp.WhereTrue(k.Op) ? 0 : 1));
        }

        private static void Filling(OpKind kind, System.Func<GpuKernelContext, (float Value, int FillWhere)> fill)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, BroadcastLayout, float, int>(Fill);
                return k =>
                {
                    var (value, where) = fill(k);
                    run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out, k.Cached(c => BroadcastLayout.Of(c.InShape(1), c.InShape(1), c.OutShape)), value, where);
                };
            });

        /// <param name="ma">The mask's (A) and a's (B) strides.</param>
        /// <param name="bb">b's strides (A and B alike).</param>
        public static void Choose(Index1D i, ArrayView<int> mask, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, BroadcastLayout ma, BroadcastLayout bb)
        {
            BroadcastLayout.Offsets(i, ma, out int mo, out int ao);
            BroadcastLayout.Offsets(i, bb, out int bo, out _);
            y[i] = mask[mo] != 0 ? a[ao] : b[bo];
        }

        /// <summary>x, or <paramref name="value"/> where the mask (read by the layout's A strides) is <paramref name="fillWhere"/>.</summary>
        public static void Fill(Index1D i, ArrayView<float> x, ArrayView<int> mask, ArrayView<float> y, BroadcastLayout m, float value, int fillWhere)
        {
            BroadcastLayout.Offsets(i, m, out int mo, out _);
            y[i] = mask[mo] == fillWhere ? value : x[i];
        }
    }
}
