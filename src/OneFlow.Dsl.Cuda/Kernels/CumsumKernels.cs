using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The running sum along an axis, one thread per line along it, adding in the CPU's order
    /// (<see cref="Runtime.Kernels.Cumsum"/>), so that both round alike.</summary>
    internal static class CumsumKernels
    {
        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.Cumsum, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(Lines);
                return k =>
                {
                    var shape = k.InShape(0);
                    var (axis, reverse) = CumsumOp.Attributes(k.Op, shape.Rank);
                    int inner = 1;
                    for (int d = axis + 1; d < shape.Rank; d++) inner *= shape[d];
                    run(k.Stream, (int)(shape.Elements / shape[axis]), k.In(0), k.Out, shape[axis], inner, reverse ? 1 : 0);
                };
            });

        public static void Lines(Index1D line, ArrayView<float> x, ArrayView<float> y, int length, int inner, int reverse)
        {
            int outer = line / inner, offset = line % inner;
            long start = (long)outer * length * inner + offset;
            float sum = 0f;
            for (int step = 0; step < length; step++)
            {
                int i = reverse != 0 ? length - 1 - step : step;
                sum = step == 0 ? x[start + (long)i * inner] : x[start + (long)i * inner] + sum;
                y[start + (long)i * inner] = sum;
            }
        }
    }
}
