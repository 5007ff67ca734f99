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
