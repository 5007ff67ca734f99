using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Sums along one axis of a tensor seen as [outer, n, inner], and their gradient, the repetition along an
    /// inserted axis. A mean divides by the whole axis's length, even where this device holds part of it.</summary>
    internal static class Reduce
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Sum, k => Sum(k, 1f));
            CpuKernels.Add(OpKind.Mean, k => Sum(k, k.WholeIn(0)[ReduceOp.Axis(k.Op, k.WholeIn(0).Rank)]));
            CpuKernels.Add(OpKind.ExpandAxis, k =>
            {
                var (axis, _, scale) = ExpandAxisOp.Attributes(k.Op);
                Expand(k.In(0), k.OutShape[axis], Layout.Inner(k.OutShape, axis), scale, k.Out);
            });
        }

        private static void Sum(CpuKernelContext k, float divisor)
        {
            int axis = ReduceOp.Axis(k.Op, k.InShape(0).Rank);
            Sum(k.In(0), k.InShape(0)[axis], Layout.Inner(k.InShape(0), axis), divisor, k.Out);
        }

        /// <summary>y[o, :] = Σ_j x[o, j, :] / divisor, over an axis of length <paramref name="n"/>.</summary>
        public static void Sum(ReadOnlySpan<float> x, int n, int inner, float divisor, Span<float> y)
        {
            int outer = y.Length / inner;
            for (int o = 0; o < outer; o++)
            {
                if (inner == 1) { y[o] = TensorPrimitives.Sum(x.Slice(o * n, n)) / divisor; continue; }
                var row = y.Slice(o * inner, inner);
                x.Slice(o * n * inner, inner).CopyTo(row);
                for (int j = 1; j < n; j++) TensorPrimitives.Add(row, x.Slice((o * n + j) * inner, inner), row);
                if (divisor != 1f) TensorPrimitives.Divide(row, divisor, row);
            }
        }

        /// <summary>y[o, j, :] = x[o, :] · scale for each of the <paramref name="n"/> positions j of the new axis.</summary>
        public static void Expand(ReadOnlySpan<float> x, int n, int inner, float scale, Span<float> y)
        {
            int outer = x.Length / inner;
            for (int o = 0; o < outer; o++)
            {
                if (inner == 1) { y.Slice(o * n, n).Fill(x[o] * scale); continue; }
                var from = x.Slice(o * inner, inner);
                for (int j = 0; j < n; j++) TensorPrimitives.Multiply(from, scale, y.Slice((o * n + j) * inner, inner));
            }
        }
    }
}
