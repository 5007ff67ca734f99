using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Each row's first maximum's position, one thread per row (a NaN counts as the maximum), as
    /// <see cref="Runtime.Kernels.Extremum"/>.</summary>
    internal static class ExtremumKernels
    {
        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.ArgMaxLast, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, int>(ArgMaxLast);
                return k => run(k.Stream, GpuKernelContext.Count(k.Out), k.In(0), k.Out.Cast<int>(), k.InShape(0)[k.InShape(0).Rank - 1]);
            });

        public static void ArgMaxLast(Index1D r, ArrayView<float> x, ArrayView<int> positions, int cols)
        {
            long o = (long)(int)r * cols;
            int best = 0;
            for (int c = 1; c < cols; c++)
            {
                float v = x[o + c], m = x[o + best];
                if (!float.IsNaN(m) && (v > m || float.IsNaN(v))) best = c;
            }
            positions[r] = best;
        }
    }
}
