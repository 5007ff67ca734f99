using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Sums along one axis of a tensor seen as [outer, n, inner] (a group per output element over the last
    /// axis, where the elements summed are adjacent; else one thread per output element), and their gradient, the
    /// repetition along an inserted axis; the formulas of the CPU's <see cref="Reduce"/>.</summary>
    internal static class ReduceKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            Sum(OpKind.Sum, k => 1f);
            Sum(OpKind.Mean, k => k.WholeIn(0)[ReduceOp.Axis(k.Op, k.WholeIn(0).Rank)]);
            GpuKernels.Add(OpKind.ExpandAxis, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float>(Expand);
                return k =>
                {
                    var (axis, _, scale) = ExpandAxisOp.Attributes(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.OutShape[axis], Layout.Inner(k.OutShape, axis), scale);
                };
            });
        }

        private static void Sum(OpKind kind, System.Func<GpuKernelContext, float> divisor)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float>(SumAxis);
                var rows = a.LoadKernel<ArrayView<float>, ArrayView<float>, int, float>(SumLast);
                return k =>
                {
                    int axis = ReduceOp.Axis(k.Op, k.InShape(0).Rank), inner = Layout.Inner(k.InShape(0), axis);
                    if (inner == 1) rows(k.Stream, GroupReductions.PerRow(a, k.Threads), k.In(0), k.Out, k.InShape(0)[axis], divisor(k));
                    else run(k.Stream, k.Threads, k.In(0), k.Out, k.InShape(0)[axis], inner, divisor(k));
                };
            });

        public static void SumAxis(Index1D i, ArrayView<float> x, ArrayView<float> y, int n, int inner, float divisor)
        {
            int o = i / inner, j = i % inner;
            float sum = 0f;
            for (int a = 0; a < n; a++) sum += x[(o * n + a) * inner + j];
            y[i] = sum / divisor;
        }

        public static void SumLast(ArrayView<float> x, ArrayView<float> y, int n, float divisor)
        {
            int r = Grid.IdxX;
            if (r >= y.Length) return;
            float sum = 0f;
            for (int a = Group.IdxX; a < n; a += Group.DimX) sum += x[r * n + a];
            sum = GroupReductions.Sum(sum);
            if (Group.IdxX == 0) y[r] = sum / divisor;
        }

        public static void Expand(Index1D i, ArrayView<float> x, ArrayView<float> y, int n, int inner, float scale)
            => y[i] = x[i / (n * inner) * inner + i % inner] * scale;
    }
}
