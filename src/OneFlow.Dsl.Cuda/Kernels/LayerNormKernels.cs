using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Layer norm and its gradient on the GPU, a group per row, with the op's ε and affine parameters
    /// (<see cref="Runtime.Kernels.LayerNorm"/>).</summary>
    internal static class LayerNormKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.LayerNorm, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int>(Forward);
                return k =>
                {
                    bool affine = k.Op.Inputs.Length == 3;
                    run(k.Stream, GroupReductions.PerRow(a, k.Threads / k.LastOf(0)), k.In(0), affine ? k.In(1) : k.In(0), affine ? k.In(2) : k.In(0), k.Out,
                        k.LastOf(0), LayerNormOp.Eps(k.Op), affine ? 1 : 0);
                };
            });
            GpuKernels.Add(OpKind.LayerNormGrad, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(Backward);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads / k.LastOf(1)), k.In(0), k.In(1), k.Out, k.LastOf(1), LayerNormOp.Eps(k.Op));
            });
        }

        /// <summary>A row normalised, then scaled and shifted where <paramref name="affine"/> (γ and β unread otherwise).</summary>
        public static void Forward(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y, int cols, float eps, int affine)
        {
            int o = Grid.IdxX * cols;
            if (o >= x.Length) return;
            Moments(x, o, cols, eps, out float mean, out float inv);
            for (int c = Group.IdxX; c < cols; c += Group.DimX)
            {
                float v = (x[o + c] - mean) * inv;
                y[o + c] = affine != 0 ? v * gamma[c] + beta[c] : v;
            }
        }

        public static void Backward(ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols, float eps)
        {
            int o = Grid.IdxX * cols;
            if (o >= x.Length) return;
            Moments(x, o, cols, eps, out float mean, out float inv);
            float sumDy = 0f, sumDyY = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX)
            {
                float y = (x[o + c] - mean) * inv;
                sumDy += dy[o + c];
                sumDyY += dy[o + c] * y;
            }
            float meanDy = GroupReductions.Sum(sumDy) / cols, meanDyY = GroupReductions.Sum(sumDyY) / cols;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) dx[o + c] = (dy[o + c] - meanDy - (x[o + c] - mean) * inv * meanDyY) * inv;
        }

        private static void Moments(ArrayView<float> x, int offset, int cols, float eps, out float mean, out float inv)
        {
            float sum = 0f, squares = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) sum += x[offset + c];
            mean = GroupReductions.Sum(sum) / cols;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) { float d = x[offset + c] - mean; squares += d * d; }
            inv = XMath.Rsqrt(GroupReductions.Sum(squares) / cols + eps);
        }
    }
}
