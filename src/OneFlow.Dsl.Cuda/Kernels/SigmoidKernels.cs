using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The sigmoid and its gradient, one thread per element, with the CPU's formulas.</summary>
    internal static class SigmoidKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Map(OpKind.Sigmoid, Sigmoid);
            GpuKernels.Zip(OpKind.SigmoidGrad, SigmoidGrad);
        }

        public static void Sigmoid(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = SigmoidOf(x[i]);

        public static void SigmoidGrad(Index1D i, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx) => dx[i] = SigmoidGradOf(dy[i], y[i]);

        public static float SigmoidOf(float x) => 1f / (1f + XMath.Exp(-x));
        public static float SigmoidGradOf(float dy, float y) => dy * (1f - y) * y;
    }
}
