using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Σ x² of a tensor (<c>SumSquaresOp.cs</c>) by one group of threads.</summary>
    internal static class SumSquaresKernels
    {
        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.SumSquares, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, int>(SumSquares);
                return k => run(k.Stream, GroupReductions.OneGroup(a), k.In(0), k.Out, GpuKernelContext.Count(k.In(0)));
            });

        /// <summary>One group: Σ x², each thread's share summed in double, then the group's.</summary>
        public static void SumSquares(ArrayView<float> x, ArrayView<float> y, int count)
        {
            double sum = 0;
            for (int k = Group.IdxX; k < count; k += Group.DimX) sum += (double)x[k] * x[k];
            sum = GroupReductions.Sum(sum);
            if (Group.IdxX == 0) y[0] = (float)sum;
        }
    }
}
