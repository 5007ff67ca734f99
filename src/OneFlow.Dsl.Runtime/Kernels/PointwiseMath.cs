using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The math functions element by element, vectorised by TensorPrimitives; their gradients are made of
    /// other ops (see each op's definition) except tanh's.</summary>
    internal static class PointwiseMath
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Tanh, k => TensorPrimitives.Tanh(k.In(0), k.Out));
            CpuKernels.Add(OpKind.TanhGrad, k => TanhGrad(k.In(0), k.In(1), k.Out));
            CpuKernels.Add(OpKind.Exp, k => TensorPrimitives.Exp(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Log, k => TensorPrimitives.Log(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Sqrt, k => TensorPrimitives.Sqrt(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Abs, k => TensorPrimitives.Abs(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Sign, k => Sign(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Square, k => TensorPrimitives.Multiply(k.In(0), k.In(0), k.Out));
            CpuKernels.Add(OpKind.Softplus, k => Softplus(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Reciprocal, k => TensorPrimitives.Reciprocal(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Erf, k => Erf(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Sin, k => TensorPrimitives.Sin(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Cos, k => TensorPrimitives.Cos(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Pow, k => TensorPrimitives.Pow(k.In(0), PowOp.Exponent(k.Op), k.Out));
        }

        // Abramowitz and Stegun 7.1.26: erf |x| = 1 − (a₁t + … + a₅t⁵)·e^(−x²), t = 1/(1 + p|x|), within 1.5e-7.
        private const float ErfP = 0.3275911f, ErfA1 = 0.254829592f, ErfA2 = -0.284496736f, ErfA3 = 1.421413741f, ErfA4 = -1.453152027f, ErfA5 = 1.061405429f;

        /// <summary>The error function, a chunk at a time through vector passes over stack buffers (no allocation; x and
        /// y may be the same span).</summary>
        public static void Erf(ReadOnlySpan<float> x, Span<float> y)
        {
            Span<float> gauss = stackalloc float[256], t = stackalloc float[256];
            for (int start = 0; start < x.Length; start += gauss.Length)
            {
                int n = Math.Min(gauss.Length, x.Length - start);
                ReadOnlySpan<float> xs = x.Slice(start, n);
                Span<float> g = gauss[..n], ts = t[..n], ys = y.Slice(start, n);
                TensorPrimitives.Multiply(xs, xs, g);
                TensorPrimitives.Negate(g, g);
                TensorPrimitives.Exp(g, g);
                TensorPrimitives.Abs(xs, ts);
                TensorPrimitives.Multiply(ts, ErfP, ts);
                TensorPrimitives.Add(ts, 1f, ts);
                TensorPrimitives.Reciprocal(ts, ts);
                for (int i = 0; i < n; i++)
                {
                    float ti = ts[i], poly = ti * (ErfA1 + ti * (ErfA2 + ti * (ErfA3 + ti * (ErfA4 + ti * ErfA5))));
                    ys[i] = MathF.CopySign(1f - poly * g[i], xs[i]);
                }
            }
        }

        /// <summary>dx = dy · (1 − y²).</summary>
        public static void TanhGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
        {
            TensorPrimitives.Multiply(y, y, dx);
            TensorPrimitives.Subtract(1f, dx, dx);
            TensorPrimitives.Multiply(dx, dy, dx);
        }

        /// <summary>−1, 0 or 1.</summary>
        public static void Sign(ReadOnlySpan<float> x, Span<float> y)
        {
            for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? 1f : x[i] < 0f ? -1f : 0f;
        }

        /// <summary>log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|), which never overflows.</summary>
        public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
        {
            TensorPrimitives.Abs(x, y);
            TensorPrimitives.Negate(y, y);
            TensorPrimitives.Exp(y, y);
            TensorPrimitives.LogP1(y, y);
            for (int i = 0; i < x.Length; i++) y[i] += MathF.Max(x[i], 0f);
        }
    }
}
