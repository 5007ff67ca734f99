using System;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Maximum and minimum of two broadcasting operands (<c>PairwiseExtremumOps.cs</c>), through the
    /// broadcasting kernels, and each operand's share of the gradient, walked a row at a time by the same strides.</summary>
    internal static class PairwiseExtremum
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Maximum, k => Broadcasting.Binary(BinaryOp.Maximum, k.In(0), k.InShape(0), k.In(1), k.InShape(1), k.Out, k.OutShape));
            CpuKernels.Add(OpKind.Minimum, k => Broadcasting.Binary(BinaryOp.Minimum, k.In(0), k.InShape(0), k.In(1), k.InShape(1), k.Out, k.OutShape));
            CpuKernels.Add(OpKind.PairwiseExtremumGrad, k =>
            {
                var a = PairwiseExtremumGradOp.Attributes(k.Op);
                Share(k.In(0), k.OutShape, k.In(1), k.InShape(1), k.In(2), k.InShape(2), a.Minimum, a.Side, k.Out);
            });
        }

        /// <summary>PyTorch's rule: half of dy where a = b, none to the operand that loses, all of it otherwise (a NaN
        /// on either side compares neither way, so both get it).</summary>
        public static float Share(float dy, float a, float b, bool minimum, int side)
        {
            if (a == b) return 0.5f * dy;
            bool aLoses = minimum ? a > b : a < b, bLoses = minimum ? a < b : a > b;
            return (side == 0 ? aLoses : bLoses) ? 0f : dy;
        }

        public static void Share(ReadOnlySpan<float> dy, Shape shape, ReadOnlySpan<float> a, Shape sa, ReadOnlySpan<float> b, Shape sb, bool minimum, int side, Span<float> dx)
        {
            int rank = shape.Rank, inner = rank == 0 ? 1 : shape[rank - 1];
            Span<long> aStride = stackalloc long[rank], bStride = stackalloc long[rank];
            Broadcasting.Strides(sa, shape, aStride);
            Broadcasting.Strides(sb, shape, bStride);
            long aInner = rank == 0 ? 0 : aStride[rank - 1], bInner = rank == 0 ? 0 : bStride[rank - 1];
            Span<int> index = stackalloc int[rank];
            long ao = 0, bo = 0;
            for (int start = 0; start < dy.Length; start += inner)
            {
                for (int c = 0; c < inner; c++)
                    dx[start + c] = Share(dy[start + c], a[(int)(ao + c * aInner)], b[(int)(bo + c * bInner)], minimum, side);
                Broadcasting.Advance(index, shape, aStride, ref ao, bStride, ref bo);
            }
        }
    }
}
