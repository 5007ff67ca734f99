using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The activations of <c>ActivationOps.cs</c>, one thread per element, with the CPU's formulas
    /// (<see cref="Runtime.Kernels.Activation"/>).</summary>
    internal static class ActivationKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Map(OpKind.Relu, Relu);
            GpuKernels.Zip(OpKind.ReluGrad, ReluGrad);
            GpuKernels.Map(OpKind.Silu, Silu);
            GpuKernels.Map(OpKind.Clamp, Clamp, op => ClampOp.Bounds(op));
            GpuKernels.Zip(OpKind.ClampGrad, ClampGrad, op => ClampOp.Bounds(op));
            GpuKernels.Map(OpKind.LeakyRelu, LeakyRelu, op => (AlphaActivationOp.Alpha(op), 0f));
            GpuKernels.Zip(OpKind.LeakyReluGrad, LeakyReluGrad, op => (AlphaActivationOp.Alpha(op), 0f));
            GpuKernels.Map(OpKind.Elu, Elu, op => (AlphaActivationOp.Alpha(op), 0f));
            GpuKernels.Zip(OpKind.EluGrad, EluGrad, op => (AlphaActivationOp.Alpha(op), 0f));
        }

        public static void Relu(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = ReluOf(x[i]);

        public static void ReluGrad(Index1D i, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx) => dx[i] = ReluGradOf(dy[i], y[i]);

        public static float ReluOf(float x) => XMath.Max(x, 0f);
        public static float ReluGradOf(float dy, float y) => y > 0f ? dy : 0f;

        public static void Silu(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i] / (1f + XMath.Exp(-x[i]));

        /// <summary>NaN stays NaN, as in PyTorch.</summary>
        public static void Clamp(Index1D i, ArrayView<float> x, float min, float max, ArrayView<float> y)
        {
            float v = x[i];
            y[i] = XMath.IsNaN(v) ? v : v < min ? min : v > max ? max : v;
        }

        public static void ClampGrad(Index1D i, ArrayView<float> dy, ArrayView<float> x, float min, float max, ArrayView<float> dx)
            => dx[i] = x[i] >= min && x[i] <= max ? dy[i] : 0f;

        public static void LeakyRelu(Index1D i, ArrayView<float> x, float slope, float unused, ArrayView<float> y) => y[i] = x[i] > 0f ? x[i] : x[i] * slope;

        public static void LeakyReluGrad(Index1D i, ArrayView<float> dy, ArrayView<float> x, float slope, float unused, ArrayView<float> dx)
            => dx[i] = x[i] > 0f ? dy[i] : dy[i] * slope;

        /// <summary>α·(eˣ − 1) below 0; near 0 the series, as expm1 is exact there and eˣ − 1 is not.</summary>
        public static void Elu(Index1D i, ArrayView<float> x, float alpha, float unused, ArrayView<float> y)
        {
            float v = x[i];
            y[i] = v > 0f ? v : alpha * (v > -1e-3f ? v * (1f + v * (0.5f + v / 6f)) : XMath.Exp(v) - 1f);
        }

        public static void EluGrad(Index1D i, ArrayView<float> dy, ArrayView<float> x, float alpha, float unused, ArrayView<float> dx)
            => dx[i] = x[i] > 0f ? dy[i] : dy[i] * alpha * XMath.Exp(x[i]);
    }
}
