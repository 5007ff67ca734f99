using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The pads (<c>PadOps.cs</c>), a row of the output (its last axis) at a time: the row of x it copies
    /// found by <see cref="PadAttributes.Source"/> along the leading axes, its run copied (or, for dx, added) as a
    /// vector and its border written element by element.</summary>
    internal static class Pad
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Pad, k => Forward(k.In(0), k.InShape(0), k.Out, k.OutShape, PadOp.Attributes(k.Op)));
            CpuKernels.Add(OpKind.PadGrad, k => Backward(k.In(0), k.InShape(0), k.Out, k.OutShape, PadOp.Attributes(k.Op)));
        }

        public static void Forward(ReadOnlySpan<float> x, Shape sx, Span<float> y, Shape sy, PadAttributes a)
        {
            int rank = sy.Rank, inner = sy[rank - 1], n = sx[rank - 1], before = a.Before(rank - 1, rank), mode = (int)a.Mode;
            float value = (float)a.Value;
            Span<int> index = stackalloc int[rank];
            for (int start = 0; start < y.Length; start += inner, Next(index, sy))
            {
                var row = y.Slice(start, inner);
                int from = SourceRow(index, sx, a);
                if (from < 0) { row.Fill(value); continue; }
                var source = x.Slice(from * n, n);
                source.CopyTo(row.Slice(before, n));
                for (int j = 0; j < inner; j++)
                {
                    if (j == before) j += n;
                    if (j >= inner) break;
                    int s = PadAttributes.Source(j - before, n, mode);
                    row[j] = s < 0 ? value : source[s];
                }
            }
        }

        /// <summary>dx = Σ dy over the outputs that copied each element.</summary>
        public static void Backward(ReadOnlySpan<float> dy, Shape sy, Span<float> dx, Shape sx, PadAttributes a)
        {
            dx.Clear();
            int rank = sy.Rank, inner = sy[rank - 1], n = sx[rank - 1], before = a.Before(rank - 1, rank), mode = (int)a.Mode;
            Span<int> index = stackalloc int[rank];
            for (int start = 0; start < dy.Length; start += inner, Next(index, sy))
            {
                int from = SourceRow(index, sx, a);
                if (from < 0) continue;
                var row = dy.Slice(start, inner);
                var target = dx.Slice(from * n, n);
                TensorPrimitives.Add(target, row.Slice(before, n), target);
                for (int j = 0; j < inner; j++)
                {
                    if (j == before) j += n;
                    if (j >= inner) break;
                    int s = PadAttributes.Source(j - before, n, mode);
                    if (s >= 0) target[s] += row[j];
                }
            }
        }

        /// <summary>The row of x (counted over x's leading axes) that output row <paramref name="index"/> copies; −1 in
        /// a constant border.</summary>
        private static int SourceRow(Span<int> index, Shape sx, PadAttributes a)
        {
            int rank = sx.Rank, row = 0;
            for (int k = 0; k < rank - 1; k++)
            {
                int s = PadAttributes.Source(index[k] - a.Before(k, rank), sx[k], (int)a.Mode);
                if (s < 0) return -1;
                row = row * sx[k] + s;
            }
            return row;
        }

        /// <summary>The next row's index over every axis but the last.</summary>
        private static void Next(Span<int> index, Shape shape)
        {
            for (int k = shape.Rank - 2; k >= 0; k--)
            {
                if (++index[k] < shape[k]) return;
                index[k] = 0;
            }
        }
    }
}
