using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Softmax and log softmax over each row of the last axis (<c>SoftmaxOp.cs</c>), and their gradients from the outputs.</summary>
    internal static class Softmax
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Softmax, k => Forward(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.SoftmaxGrad, k => Backward(k.In(0), k.In(1), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.LogSoftmax, k => LogForward(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.LogSoftmaxGrad, k => LogBackward(k.In(0), k.In(1), k.LastOf(1), k.Out));
        }

        public static void Forward(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++) TensorPrimitives.SoftMax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
        }
        /// <summary>dx = y ⊙ (dy − Σ dy ⊙ y).</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int cols, Span<float> dx)
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
        public static void LogForward(ReadOnlySpan<float> x, int cols, Span<float> y)
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
        public static void LogBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int cols, Span<float> dx)
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
    }
}
