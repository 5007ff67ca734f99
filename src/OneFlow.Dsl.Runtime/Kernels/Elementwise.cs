using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Elementwise kernels on spans, vectorised by TensorPrimitives; the binary ones broadcast (see
    /// <see cref="Broadcasting"/>).</summary>
    internal static class Elementwise
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Neg, k => Neg(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Scale, k => Scale(k.In(0), ScaleOp.Factor(k.Op), k.Out));
            CpuKernels.Add(OpKind.Fill, k => k.Out.Fill(FillOp.Value(k.Op)));
            CpuKernels.Add(OpKind.AddScalar, k => TensorPrimitives.Add(k.In(0), AddScalarOp.Value(k.Op), k.Out));
            CpuKernels.Add(OpKind.Accumulate, k =>
            {
                int n = AccumulateOp.MicroBatches(k.Op);
                AccumulateMean(k.In(0), k.Out, k.Piece % n == 0, n);
            });
            CpuKernels.Add(OpKind.Relu, k => ParallelRanges.Elements(k, static (k, first, last) => Relu(k.In(0)[first..last], k.Out[first..last])));
            CpuKernels.Add(OpKind.ReluGrad, k => ParallelRanges.Elements(k, static (k, first, last) => ReluGrad(k.In(0)[first..last], k.In(1)[first..last], k.Out[first..last])));
            CpuKernels.Add(OpKind.Transpose, k => Transpose(k.In(0), k.InShape(0)[k.InShape(0).Rank - 2], k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.SumSquares, k => k.Out[0] = TensorPrimitives.SumOfSquares(k.In(0)));
        }

        public static void Neg(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Negate(x, y);

        public static void Scale(ReadOnlySpan<float> x, float c, Span<float> y) => TensorPrimitives.Multiply(x, c, y);

        /// <summary>y = x/n on a step's first micro-batch, y += x/n on the others: after n of them, their mean.</summary>
        public static void AccumulateMean(ReadOnlySpan<float> x, Span<float> y, bool first, int n)
        {
            if (first) TensorPrimitives.Multiply(x, 1f / n, y);
            else TensorPrimitives.MultiplyAdd(x, 1f / n, y, y);
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

        /// <summary>y = xᵀ for each rows×cols matrix of a batch (a single matrix is a batch of one).</summary>
        public static void Transpose(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
        {
            int size = rows * cols;
            for (int b = 0; b < x.Length / size; b++)
            {
                var from = x.Slice(b * size, size);
                var to = y.Slice(b * size, size);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) to[c * rows + r] = from[r * cols + c];
            }
        }
    }
}
