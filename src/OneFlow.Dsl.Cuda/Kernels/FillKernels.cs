using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A constant tensor (<c>FillOp.cs</c>), one thread per element.</summary>
    internal static class FillKernels
    {
        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.Fill, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(Fill);
                return k => run(k.Stream, k.Threads, k.Out, FillOp.Value(k.Op));
            });

        public static void Fill(Index1D i, ArrayView<float> y, float value) => y[i] = value;
    }
}
