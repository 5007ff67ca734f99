using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Causal attention's softmax over rows (<see cref="Runtime.Kernels.CausalSoftmax"/>).</summary>
    internal static class CausalSoftmaxKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            RowLaunch.Rows(OpKind.CausalSoftmax, CausalSoftmax);
        }

        /// <summary>Row r of a T×T block over its first r mod T + 1 entries, zeros after.</summary>
        public static void CausalSoftmax(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int r = Grid.IdxX, o = r * cols, keep = r % cols + 1;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, keep), sum = 0f;
            for (int c = Group.IdxX; c < keep; c += Group.DimX) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            sum = GroupReductions.Sum(sum);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) y[o + c] = c < keep ? y[o + c] / sum : 0f;
        }
    }
}
