using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The mean of a step's micro-batches (<c>AccumulateOp.cs</c>), one thread per element, as
    /// <see cref="Runtime.Kernels.Accumulate"/>.</summary>
    internal static class AccumulateKernels
    {
        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.Accumulate, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(Mean);
                return k =>
                {
                    int n = AccumulateOp.MicroBatches(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.Piece % n == 0 ? 1 : 0, n);
                };
            });

        /// <summary>y = x/n in a step's first micro-batch, y += x/n in the others: after n of them, their mean.</summary>
        public static void Mean(Index1D i, ArrayView<float> x, ArrayView<float> y, int first, int n)
            => y[i] = first == 1 ? x[i] * (1f / n) : y[i] + x[i] * (1f / n);
    }
}
