using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The math functions element by element, one thread per element, with the CPU's formulas
    /// (<see cref="Runtime.Kernels.PointwiseMath"/>).</summary>
    internal static class PointwiseMathKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Map(OpKind.Tanh, Tanh);
            GpuKernels.Zip(OpKind.TanhGrad, TanhGrad);
            GpuKernels.Map(OpKind.Exp, Exp);
            GpuKernels.Map(OpKind.Log, Log);
            GpuKernels.Map(OpKind.Sqrt, Sqrt);
            GpuKernels.Map(OpKind.Abs, Abs);
            GpuKernels.Map(OpKind.Sign, Sign);
            GpuKernels.Map(OpKind.Square, Square);
            GpuKernels.Map(OpKind.Softplus, Softplus);
            GpuKernels.Map(OpKind.Reciprocal, Reciprocal);
            GpuKernels.Map(OpKind.Erf, Erf);
            GpuKernels.Map(OpKind.Sin, Sin);
            GpuKernels.Map(OpKind.Cos, Cos);
            GpuKernels.Map(OpKind.Pow, Pow, op => (PowOp.Exponent(op), 0f));
        }

        public static void Sin(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Sin(x[i]);
        public static void Cos(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Cos(x[i]);

        /// <summary>The CPU's erf (Abramowitz and Stegun 7.1.26).</summary>
        public static void Erf(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = ErfOf(x[i]);

        public static float ErfOf(float v)
        {
            float t = 1f / (1f + 0.3275911f * XMath.Abs(v));
            float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
            float e = 1f - poly * XMath.Exp(-v * v);
            return v < 0f ? -e : e;
        }

        /// <summary>|x|ᵖ with the sign a whole power gives a negative x, NaN for another power of one: the same on every
        /// backend whatever its pow does with negative bases.</summary>
        public static void Pow(Index1D i, ArrayView<float> x, float p, float unused, ArrayView<float> y)
        {
            float v = x[i], magnitude = XMath.Pow(XMath.Abs(v), p);
            if (v >= 0f || XMath.IsNaN(v)) { y[i] = v == 0f && p == 0f ? 1f : magnitude; return; }
            float whole = XMath.Floor(p);
            y[i] = whole != p ? float.NaN : XMath.Abs(whole * 0.5f - XMath.Floor(whole * 0.5f)) > 0.25f ? -magnitude : magnitude;
        }

        public static void Tanh(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Tanh(x[i]);
        public static void TanhGrad(Index1D i, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx) => dx[i] = TanhGradOf(dy[i], y[i]);
        public static float TanhGradOf(float dy, float y) => dy * (1f - y * y);
        public static void Exp(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Exp(x[i]);
        public static void Log(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Log(x[i]);
        public static void Sqrt(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Sqrt(x[i]);
        public static void Abs(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Abs(x[i]);
        public static void Sign(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i] > 0f ? 1f : x[i] < 0f ? -1f : 0f;
        public static void Square(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i] * x[i];
        public static void Reciprocal(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = 1f / x[i];

        /// <summary>log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|), which never overflows.</summary>
        public static void Softplus(Index1D i, ArrayView<float> x, ArrayView<float> y)
        {
            float v = x[i];
            y[i] = XMath.Max(v, 0f) + XMath.Log(1f + XMath.Exp(-XMath.Abs(v)));
        }
    }
}
