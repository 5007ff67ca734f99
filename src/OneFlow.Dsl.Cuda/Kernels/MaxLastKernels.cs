using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Each row's maximum and its gradient to the first maximum (<see cref="Runtime.Kernels.MaxLast"/>).</summary>
    internal static class MaxLastKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.MaxLast, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, int>(MaxLast);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads), k.In(0), k.Out, k.LastOf(0));
            });
            RowLaunch.GradientRows(OpKind.MaxLastGrad, MaxLastGrad);
        }

        public static void MaxLast(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int r = Grid.IdxX;
            if (r >= y.Length) return;
            float max = GroupReductions.RowMax(x, r * cols, cols);
            if (Group.IdxX == 0) y[r] = max;
        }
        /// <summary>dy at each row's first maximum, zero elsewhere.</summary>
        public static void MaxLastGrad(ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols)
        {
            int r = Grid.IdxX, o = r * cols;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, cols);
            int first = cols;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) if (x[o + c] == max && c < first) first = c;
            first = GroupReductions.Min(first);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) dx[o + c] = c == first ? dy[r] : 0f;
        }
    }
}
