using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Kernels that work on each row of length <c>cols</c> (the last axis) independently.</summary>
    internal static class RowKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Softmax, k => Softmax(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.CausalSoftmax, k => CausalSoftmax(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.SoftmaxGrad, k => SoftmaxGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.LogSoftmax, k => LogSoftmax(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.LogSoftmaxGrad, k => LogSoftmaxGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.MaxLast, k => MaxLast(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.MaxLastGrad, k => MaxLastGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
        }

        public static void Softmax(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++) TensorPrimitives.SoftMax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
        }

        /// <summary>Softmax of blocks of <paramref name="cols"/> × <paramref name="cols"/> scores, row i over its
        /// first i + 1 entries (the rest 0): causal attention's mask.</summary>
        public static void CausalSoftmax(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                int keep = r % cols + 1;
                TensorPrimitives.SoftMax(x.Slice(r * cols, keep), y.Slice(r * cols, keep));
                y.Slice(r * cols + keep, cols - keep).Clear();
            }
        }

        /// <summary>dx = y ⊙ (dy − Σ dy ⊙ y).</summary>
        public static void SoftmaxGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int cols, Span<float> dx)
        {
            for (int r = 0; r < dy.Length / cols; r++)
            {
                var d = dy.Slice(r * cols, cols);
                var s = y.Slice(r * cols, cols);
                var o = dx.Slice(r * cols, cols);
                float dot = TensorPrimitives.Dot(d, s);
                TensorPrimitives.Subtract(d, dot, o);
                TensorPrimitives.Multiply(o, s, o);
            }
        }

        /// <summary>y = x − max − log Σ exp(x − max).</summary>
        public static void LogSoftmax(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                var row = x.Slice(r * cols, cols);
                var o = y.Slice(r * cols, cols);
                float max = TensorPrimitives.Max(row);
                double z = 0;
                for (int c = 0; c < cols; c++) z += Math.Exp(row[c] - max);
                TensorPrimitives.Subtract(row, max + (float)Math.Log(z), o);
            }
        }

        /// <summary>dx = dy − exp(y) · Σ dy.</summary>
        public static void LogSoftmaxGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int cols, Span<float> dx)
        {
            for (int r = 0; r < dy.Length / cols; r++)
            {
                var d = dy.Slice(r * cols, cols);
                var o = dx.Slice(r * cols, cols);
                float sum = TensorPrimitives.Sum(d);
                TensorPrimitives.Exp(y.Slice(r * cols, cols), o);
                TensorPrimitives.Multiply(o, -sum, o);
                TensorPrimitives.Add(o, d, o);
            }
        }

        /// <summary>Each row's maximum.</summary>
        public static void MaxLast(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < y.Length; r++) y[r] = TensorPrimitives.Max(x.Slice(r * cols, cols));
        }

        /// <summary>dx = dy at each row's first maximum, zero elsewhere.</summary>
        public static void MaxLastGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int cols, Span<float> dx)
        {
            dx.Clear();
            for (int r = 0; r < dy.Length; r++) dx[r * cols + TensorPrimitives.IndexOfMax(x.Slice(r * cols, cols))] = dy[r];
        }
    }
}
