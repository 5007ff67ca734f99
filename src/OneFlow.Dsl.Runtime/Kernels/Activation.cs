using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The activations of <c>ActivationOps.cs</c>, vectorised: TensorPrimitives where it has the function,
    /// <see cref="Vector{T}"/> selects where a kink picks between two formulas.</summary>
    internal static class Activation
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Relu, k => ParallelRanges.Elements(k, static (k, first, last) => Relu(k.In(0)[first..last], k.Out[first..last])));
            CpuKernels.Add(OpKind.ReluGrad, k => ParallelRanges.Elements(k, static (k, first, last) => ReluGrad(k.In(0)[first..last], k.In(1)[first..last], k.Out[first..last])));
            CpuKernels.Add(OpKind.Silu, k => Silu(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Clamp, k => Clamp(k.In(0), ClampOp.Bounds(k.Op), k.Out));
            CpuKernels.Add(OpKind.ClampGrad, k => ClampGrad(k.In(0), k.In(1), ClampOp.Bounds(k.Op), k.Out));
            CpuKernels.Add(OpKind.LeakyRelu, k => LeakyRelu(k.In(0), AlphaActivationOp.Alpha(k.Op), k.Out));
            CpuKernels.Add(OpKind.LeakyReluGrad, k => LeakyReluGrad(k.In(0), k.In(1), AlphaActivationOp.Alpha(k.Op), k.Out));
            CpuKernels.Add(OpKind.Elu, k => Elu(k.In(0), AlphaActivationOp.Alpha(k.Op), k.Out));
            CpuKernels.Add(OpKind.EluGrad, k => EluGrad(k.In(0), k.In(1), AlphaActivationOp.Alpha(k.Op), k.Out));
        }

        public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

        /// <summary>dx = dy where y &gt; 0, else 0: a vector select, since a branch per element mispredicts on every
        /// sign change of real activations.</summary>
        public static void ReluGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
        {
            int i = 0;
            for (; i + Vector<float>.Count <= dx.Length; i += Vector<float>.Count)
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(y.Slice(i)), Vector<float>.Zero), new Vector<float>(dy.Slice(i)), Vector<float>.Zero)
                    .CopyTo(dx.Slice(i));
            for (; i < dx.Length; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
        }

        public static void Silu(ReadOnlySpan<float> x, Span<float> y)
        {
            TensorPrimitives.Sigmoid(x, y);
            TensorPrimitives.Multiply(y, x, y);
        }

        /// <summary>NaN stays NaN, as in PyTorch.</summary>
        public static void Clamp(ReadOnlySpan<float> x, (float Min, float Max) bounds, Span<float> y)
        {
            TensorPrimitives.Max(x, bounds.Min, y);
            TensorPrimitives.Min(y, bounds.Max, y);
        }

        public static void ClampGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, (float Min, float Max) bounds, Span<float> dx)
        {
            var (min, max) = (new Vector<float>(bounds.Min), new Vector<float>(bounds.Max));
            int i = 0;
            for (; i + Vector<float>.Count <= dx.Length; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x.Slice(i));
                var inside = Vector.BitwiseAnd(Vector.GreaterThanOrEqual(v, min), Vector.LessThanOrEqual(v, max));
                Vector.ConditionalSelect(inside, new Vector<float>(dy.Slice(i)), Vector<float>.Zero).CopyTo(dx.Slice(i));
            }
            for (; i < dx.Length; i++) dx[i] = x[i] >= bounds.Min && x[i] <= bounds.Max ? dy[i] : 0f;
        }

        public static void LeakyRelu(ReadOnlySpan<float> x, float slope, Span<float> y)
        {
            int i = 0;
            for (; i + Vector<float>.Count <= y.Length; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * slope).CopyTo(y.Slice(i));
            }
            for (; i < y.Length; i++) y[i] = x[i] > 0f ? x[i] : x[i] * slope;
        }

        public static void LeakyReluGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float slope, Span<float> dx)
        {
            int i = 0;
            for (; i + Vector<float>.Count <= dx.Length; i += Vector<float>.Count)
            {
                var d = new Vector<float>(dy.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x.Slice(i)), Vector<float>.Zero), d, d * slope).CopyTo(dx.Slice(i));
            }
            for (; i < dx.Length; i++) dx[i] = x[i] > 0f ? dy[i] : dy[i] * slope;
        }

        /// <summary>α·(eˣ − 1) below 0 from expm1, exact near 0.</summary>
        public static void Elu(ReadOnlySpan<float> x, float alpha, Span<float> y)
        {
            TensorPrimitives.ExpM1(x, y);
            int i = 0;
            for (; i + Vector<float>.Count <= y.Length; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, new Vector<float>(y.Slice(i)) * alpha).CopyTo(y.Slice(i));
            }
            for (; i < y.Length; i++) y[i] = x[i] > 0f ? x[i] : alpha * y[i];
        }

        public static void EluGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float alpha, Span<float> dx)
        {
            TensorPrimitives.Exp(x, dx);
            int i = 0;
            for (; i + Vector<float>.Count <= dx.Length; i += Vector<float>.Count)
            {
                var d = new Vector<float>(dy.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x.Slice(i)), Vector<float>.Zero), d, d * new Vector<float>(dx.Slice(i)) * alpha).CopyTo(dx.Slice(i));
            }
            for (; i < dx.Length; i++) dx[i] = x[i] > 0f ? dy[i] : dy[i] * dx[i] * alpha;
        }
    }
}
