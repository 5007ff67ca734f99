using System;
using System.Numerics.Tensors;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Elementwise kernels on spans, vectorised by TensorPrimitives. A "row bias" operand is a vector
    /// broadcast over every row of a row-major matrix.</summary>
    public static class Elementwise
    {
        public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Broadcast(a, b, y, BinaryOp.Add);
        public static void Sub(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Broadcast(a, b, y, BinaryOp.Sub);
        public static void Mul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Broadcast(a, b, y, BinaryOp.Mul);

        public static void Neg(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Negate(x, y);

        public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

        /// <summary>dx = dy where y &gt; 0, else 0.</summary>
        public static void ReluGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
        {
            for (int i = 0; i < dx.Length; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
        }

        private const float GeluScale = 0.7978845608f; // √(2/π)

        /// <summary>GELU, tanh approximation.</summary>
        public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
        {
            for (int i = 0; i < x.Length; i++)
            {
                float v = x[i];
                y[i] = 0.5f * v * (1f + MathF.Tanh(GeluScale * (v + 0.044715f * v * v * v)));
            }
        }

        /// <summary>dx = dy · d/dx gelu(x).</summary>
        public static void GeluGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx)
        {
            for (int i = 0; i < x.Length; i++)
            {
                float v = x[i];
                float t = MathF.Tanh(GeluScale * (v + 0.044715f * v * v * v));
                float slope = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * GeluScale * (1f + 3f * 0.044715f * v * v);
                dx[i] = dy[i] * slope;
            }
        }

        /// <summary>y = xᵀ for a rows×cols matrix.</summary>
        public static void Transpose(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
        {
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c];
        }

        /// <summary>Sums a rows×cols matrix over its rows into a vector of cols.</summary>
        public static void ReduceRows(ReadOnlySpan<float> x, int rows, Span<float> y)
        {
            int cols = y.Length;
            y.Clear();
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(y, x.Slice(r * cols, cols), y);
        }

        /// <summary>w −= lr · g.</summary>
        public static void SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float lr) => TensorPrimitives.MultiplyAdd(g, -lr, w, w);

        private enum BinaryOp { Add, Sub, Mul }

        /// <summary>Equal lengths: elementwise. Otherwise the shorter operand is a row bias of the longer one.</summary>
        private static void Broadcast(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, BinaryOp op)
        {
            if (a.Length == b.Length) { Apply(a, b, y, op); return; }
            bool biasOnRight = b.Length < a.Length;
            var bias = biasOnRight ? b : a;
            var matrix = biasOnRight ? a : b;
            if (bias.Length == 0 || matrix.Length % bias.Length != 0)
                throw new ArgumentException($"Cannot broadcast {bias.Length} elements over {matrix.Length}.");
            int cols = bias.Length;
            for (int r = 0; r < matrix.Length / cols; r++)
            {
                var row = matrix.Slice(r * cols, cols);
                var outRow = y.Slice(r * cols, cols);
                if (biasOnRight) Apply(row, bias, outRow, op); else Apply(bias, row, outRow, op);
            }
        }

        private static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, BinaryOp op)
        {
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
                case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
                default: TensorPrimitives.Multiply(a, b, y); break;
            }
        }
    }
}
