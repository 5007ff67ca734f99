using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>GELU in both of PyTorch's forms (<c>GeluOp.cs</c>), split over the worker threads like every
    /// elementwise kernel: the exact x·Φ(x) from the error function, and GPT-2's tanh approximation.</summary>
    internal static class Gelu
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Gelu, k => ParallelRanges.Elements(k, static (k, first, last) =>
            {
                if (GeluOp.IsTanh(k.Op)) Approximate(k.In(0)[first..last], k.Out[first..last]);
                else Exact(k.In(0)[first..last], k.Out[first..last]);
            }));
            CpuKernels.Add(OpKind.GeluGrad, k => ParallelRanges.Elements(k, static (k, first, last) =>
            {
                if (GeluOp.IsTanh(k.Op)) ApproximateGrad(k.In(0)[first..last], k.In(1)[first..last], k.Out[first..last]);
                else ExactGrad(k.In(0)[first..last], k.In(1)[first..last], k.Out[first..last]);
            }));
        }

        private const float InverseSqrt2 = 0.70710678118654752f;
        private const float InverseSqrt2Pi = 0.39894228040143268f; // 1/√(2π)

        /// <summary>½x(1 + erf(x/√2)), a chunk at a time through a stack buffer.</summary>
        public static void Exact(ReadOnlySpan<float> x, Span<float> y)
        {
            Span<float> erf = stackalloc float[256];
            for (int start = 0; start < x.Length; start += erf.Length)
            {
                int n = Math.Min(erf.Length, x.Length - start);
                ReadOnlySpan<float> xs = x.Slice(start, n);
                Span<float> e = erf[..n];
                System.Numerics.Tensors.TensorPrimitives.Multiply(xs, InverseSqrt2, e);
                PointwiseMath.Erf(e, e);
                for (int i = 0; i < n; i++) y[start + i] = 0.5f * xs[i] * (1f + e[i]);
            }
        }

        /// <summary>dx = dy · (Φ(x) + x·φ(x)), Φ from erf and φ(x) = e^(−x²/2)/√(2π).</summary>
        public static void ExactGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx)
        {
            Span<float> erf = stackalloc float[256];
            for (int start = 0; start < x.Length; start += erf.Length)
            {
                int n = Math.Min(erf.Length, x.Length - start);
                ReadOnlySpan<float> xs = x.Slice(start, n);
                Span<float> e = erf[..n];
                System.Numerics.Tensors.TensorPrimitives.Multiply(xs, InverseSqrt2, e);
                PointwiseMath.Erf(e, e);
                for (int i = 0; i < n; i++)
                {
                    float v = xs[i];
                    dx[start + i] = dy[start + i] * (0.5f * (1f + e[i]) + v * InverseSqrt2Pi * MathF.Exp(-0.5f * v * v));
                }
            }
        }

        private const float TanhScale = 0.7978845608f; // √(2/π)
        private const float Cubic = 0.044715f;

        /// <summary>GELU, tanh approximation: ½x(1 + tanh(u)) with u = √(2/π)(x + 0.044715x³), computed as x·σ(2u), the
        /// same value, in one pass with one exp per element: a pass per arithmetic step (nine of them, tanh among
        /// them) cost three times as long, each one reading and writing the whole tensor.</summary>
        public static void Approximate(ReadOnlySpan<float> x, Span<float> y)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
                {
                    var v = Vector256.Create(x.Slice(i));
                    (v / (Vector256<float>.One + ExpMinus2u(v))).CopyTo(y.Slice(i));
                }
            for (; i < x.Length; i++) y[i] = x[i] / (1f + ExpMinus2u(x[i]));
        }

        /// <summary>dx = dy · gelu'(x). With e = e^(−2u) and s = σ(2u) = 1/(1 + e), so that ½(1 + tanh u) = s and
        /// 1 − tanh²u = 4s(1 − s) = 4e·s²: gelu'(x) = s + 2x·e·s²·u′, u′ = √(2/π)(1 + 3·0.044715x²). Taking 1 − s as
        /// e·s keeps its digits where s is near 1 (1 − s would cancel them); one pass, nothing allocated.</summary>
        public static void ApproximateGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
                {
                    var v = Vector256.Create(x.Slice(i));
                    var e = ExpMinus2u(v);
                    var s = Vector256<float>.One / (Vector256<float>.One + e);
                    var du = Vector256.Create(TanhScale) + Vector256.Create(3f * Cubic * TanhScale) * v * v;
                    (Vector256.Create(dy.Slice(i)) * (s + e * s * s * (Vector256.Create(2f) * v * du))).CopyTo(dx.Slice(i));
                }
            for (; i < x.Length; i++)
            {
                float v = x[i], e = ExpMinus2u(v), s = 1f / (1f + e), du = TanhScale + 3f * Cubic * TanhScale * v * v;
                dx[i] = dy[i] * (s + e * s * s * (2f * v * du));
            }
        }

        /// <summary>e^(−2u), u = √(2/π)(x + 0.044715x³), its exponent held within ±80: far enough that σ(2u) is 0 or 1 to
        /// the last bit, near enough that e·s² stays finite (an infinite e would make it ∞·0).</summary>
        private static Vector256<float> ExpMinus2u(Vector256<float> x)
        {
            var u = x * (Vector256.Create(TanhScale) + Vector256.Create(TanhScale * Cubic) * x * x);
            var limit = Vector256.Create(80f);
            return Vector256.Exp(Vector256.Min(Vector256.Max(Vector256.Create(-2f) * u, -limit), limit));
        }

        private static float ExpMinus2u(float x) => MathF.Exp(Math.Clamp(-2f * TanhScale * (x + Cubic * x * x * x), -80f, 80f));
    }
}
