using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>GELU in both forms, one thread per element, with the CPU's formulas (<see cref="Runtime.Kernels.Gelu"/>);
    /// the form arrives as a constant (1 for tanh).</summary>
    internal static class GeluKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Map(OpKind.Gelu, Gelu, op => (GeluOp.IsTanh(op) ? 1f : 0f, 0f));
            GpuKernels.Zip(OpKind.GeluGrad, GeluGrad, op => (GeluOp.IsTanh(op) ? 1f : 0f, 0f));
        }

        private const float TanhScale = 0.7978845608f; // √(2/π)
        private const float InverseSqrt2 = 0.70710678118654752f;
        private const float InverseSqrt2Pi = 0.39894228040143268f;

        public static void Gelu(Index1D i, ArrayView<float> x, float tanh, float unused, ArrayView<float> y) => y[i] = GeluOf(x[i], tanh != 0f);

        public static void GeluGrad(Index1D i, ArrayView<float> dy, ArrayView<float> x, float tanh, float unused, ArrayView<float> dx)
            => dx[i] = GeluGradOf(dy[i], x[i], tanh != 0f);

        public static float GeluOf(float v, bool tanh)
            => tanh
                ? 0.5f * v * (1f + XMath.Tanh(TanhScale * (v + 0.044715f * v * v * v)))
                : 0.5f * v * (1f + PointwiseMathKernels.ErfOf(v * InverseSqrt2));

        public static float GeluGradOf(float dy, float v, bool tanh)
        {
            if (tanh)
            {
                float t = XMath.Tanh(TanhScale * (v + 0.044715f * v * v * v));
                return dy * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * TanhScale * (1f + 3f * 0.044715f * v * v));
            }
            return dy * (0.5f * (1f + PointwiseMathKernels.ErfOf(v * InverseSqrt2)) + v * InverseSqrt2Pi * XMath.Exp(-0.5f * v * v));
        }
    }
}
