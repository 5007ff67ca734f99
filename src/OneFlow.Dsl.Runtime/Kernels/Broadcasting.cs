using System;
using System.Numerics.Tensors;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    internal enum BinaryOp { Add, Sub, Mul, Div, Maximum, Minimum }

    /// <summary>How binary elementwise kernels broadcast as NumPy (<see cref="Arithmetic"/>, <see cref="PairwiseExtremum"/>,
    /// <see cref="Comparison"/>, <see cref="Where"/>), and the sum that undoes a broadcast. Shapes are
    /// aligned at their last axes; an operand axis of length 1, or missing, is repeated along the output's. The
    /// output is walked a row (its last axis) at a time, each row one vectorised call on a run of each operand or
    /// on one repeated element of it.</summary>
    internal static class Broadcasting
    {
        /// <summary>Per op, the kernel for operands of the output's shape, run in ranges of elements.</summary>
        private static readonly Action<CpuKernelContext, int, int>[] Same = Array.ConvertAll(
            new[] { BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div },
            op => (Action<CpuKernelContext, int, int>)((k, first, last) => Rows.Apply(op, k.In(0)[first..last], k.In(1)[first..last], k.Out[first..last])));

        /// <summary>Operands of the output's shape are split into ranges over the threads; broadcasting ones are walked a row at a time.</summary>
        public static void Binary(BinaryOp op, CpuKernelContext k)
        {
            if (k.InShape(0).Elements == k.OutShape.Elements && k.InShape(1).Elements == k.OutShape.Elements)
                ParallelRanges.Elements(k, Same[(int)op]);
            else Binary(op, k.In(0), k.InShape(0), k.In(1), k.InShape(1), k.Out, k.OutShape);
        }

        public static void Binary(BinaryOp op, ReadOnlySpan<float> a, Shape sa, ReadOnlySpan<float> b, Shape sb, Span<float> y, Shape sy)
        {
            if (a.Length == y.Length && b.Length == y.Length) { Rows.Apply(op, a, b, y); return; }
            int rank = sy.Rank, inner = rank == 0 ? 1 : sy[rank - 1];
            Span<long> aStride = stackalloc long[rank], bStride = stackalloc long[rank];
            bool aRun = Strides(sa, sy, aStride), bRun = Strides(sb, sy, bStride);
            Span<int> index = stackalloc int[rank];
            long ao = 0, bo = 0, rows = y.Length / Math.Max(1, inner);
            for (long r = 0; r < rows; r++)
            {
                var row = y.Slice((int)(r * inner), inner);
                if (aRun && bRun) Rows.Apply(op, a.Slice((int)ao, inner), b.Slice((int)bo, inner), row);
                else if (aRun) Rows.ApplyRight(op, a.Slice((int)ao, inner), b[(int)bo], row);
                else if (bRun) Rows.ApplyLeft(op, a[(int)ao], b.Slice((int)bo, inner), row);
                else row.Fill(Rows.Apply(op, a[(int)ao], b[(int)bo]));
                Advance(index, sy, aStride, ref ao, bStride, ref bo);
            }
        }

        /// <summary>y = x summed over the axes along which a tensor of <paramref name="sy"/> was broadcast to
        /// <paramref name="sx"/>: the gradient of a broadcast operand.</summary>
        public static void SumTo(ReadOnlySpan<float> x, Shape sx, Span<float> y, Shape sy)
        {
            if (x.Length == y.Length) { x.CopyTo(y); return; }
            y.Clear();
            int rank = sx.Rank, inner = sx[rank - 1];
            Span<long> yStride = stackalloc long[rank], none = stackalloc long[rank];
            bool yRun = Strides(sy, sx, yStride);
            Span<int> index = stackalloc int[rank];
            long yo = 0, unused = 0, rows = x.Length / inner;
            for (long r = 0; r < rows; r++)
            {
                var row = x.Slice((int)(r * inner), inner);
                if (yRun) TensorPrimitives.Add(y.Slice((int)yo, inner), row, y.Slice((int)yo, inner));
                else y[(int)yo] += TensorPrimitives.Sum(row);
                Advance(index, sx, yStride, ref yo, none, ref unused);
            }
        }

        /// <summary>The operand's element stride along each of the output's axes (0 where it is repeated); true when
        /// its last axis runs along the output's rather than repeating one element.</summary>
        internal static bool Strides(Shape operand, Shape output, Span<long> strides)
        {
            int rank = output.Rank, offset = rank - operand.Rank;
            long stride = 1;
            for (int k = rank - 1; k >= 0; k--)
            {
                int j = k - offset, dim = j < 0 ? 1 : operand[j];
                strides[k] = dim == output[k] ? stride : 0;
                stride *= dim;
            }
            return rank > 0 && (strides[rank - 1] != 0 || output[rank - 1] == 1);
        }

        /// <summary>Moves to the next row: an odometer over every axis but the last, carrying both offsets along.</summary>
        internal static void Advance(Span<int> index, Shape shape, Span<long> aStride, ref long ao, Span<long> bStride, ref long bo)
        {
            for (int k = shape.Rank - 2; k >= 0; k--)
            {
                index[k]++;
                ao += aStride[k];
                bo += bStride[k];
                if (index[k] < shape[k]) return;
                ao -= aStride[k] * shape[k];
                bo -= bStride[k] * shape[k];
                index[k] = 0;
            }
        }

        internal static class Rows
        {
            public static void Apply(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
            {
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
                    case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
                    case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
                    case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); break;
                    case BinaryOp.Minimum: TensorPrimitives.Min(a, b, y); break;
                    default: TensorPrimitives.Divide(a, b, y); break;
                }
            }

            public static void ApplyRight(BinaryOp op, ReadOnlySpan<float> a, float b, Span<float> y)
            {
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
                    case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
                    case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
                    case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); break;
                    case BinaryOp.Minimum: TensorPrimitives.Min(a, b, y); break;
                    default: TensorPrimitives.Divide(a, b, y); break;
                }
            }

            public static void ApplyLeft(BinaryOp op, float a, ReadOnlySpan<float> b, Span<float> y)
            {
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(b, a, y); break;
                    case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
                    case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, y); break;
                    case BinaryOp.Maximum: TensorPrimitives.Max(b, a, y); break;
                    case BinaryOp.Minimum: TensorPrimitives.Min(b, a, y); break;
                    default: TensorPrimitives.Divide(a, b, y); break;
                }
            }

            public static float Apply(BinaryOp op, float a, float b) => op switch
            {
                BinaryOp.Add => a + b, BinaryOp.Sub => a - b, BinaryOp.Mul => a * b,
                BinaryOp.Maximum => MathF.Max(a, b), BinaryOp.Minimum => MathF.Min(a, b), _ => a / b,
            };
        }
    }
}
