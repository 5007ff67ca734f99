using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The masked ops (<c>WhereOps.cs</c>): Where's choice, MaskedFill's value and the gradients' zeros, a
    /// vector at a time where every operand has the output's shape, a row at a time by broadcast strides otherwise.</summary>
    internal static class Where
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Where, k => Choose(k.Ints(0), k.InShape(0), k.In(1), k.InShape(1), k.In(2), k.InShape(2), k.Out, k.OutShape));
            CpuKernels.Add(OpKind.MaskedFill, k => Fill(k.In(0), k.Ints(1), k.InShape(1), MaskedFillOp.Value(k.Op), fillWhere: 1, k.Out, k.OutShape));
            // dy where the mask is WhereTrue: zeros written where it is not.
            CpuKernels.Add(OpKind.WhereGrad, k => Fill(k.In(0), k.Ints(1), k.InShape(1), 0f, fillWhere: WhereGradOp.WhereTrue(k.Op) ? 0 : 1, k.Out, k.OutShape));
        }

        public static void Choose(ReadOnlySpan<int> mask, Shape sm, ReadOnlySpan<float> a, Shape sa, ReadOnlySpan<float> b, Shape sb, Span<float> y, Shape sy)
        {
            if (mask.Length == y.Length && a.Length == y.Length && b.Length == y.Length)
            {
                int i = 0;
                for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                    Vector.ConditionalSelect(Vector.Equals(new Vector<int>(mask.Slice(i)), Vector<int>.Zero), new Vector<float>(b.Slice(i)), new Vector<float>(a.Slice(i))).CopyTo(y.Slice(i));
                for (; i < y.Length; i++) y[i] = mask[i] != 0 ? a[i] : b[i];
                return;
            }
            int rank = sy.Rank, inner = sy[rank - 1];
            Span<long> mStride = stackalloc long[rank], aStride = stackalloc long[rank], bStride = stackalloc long[rank], none = stackalloc long[rank];
            Broadcasting.Strides(sm, sy, mStride);
            Broadcasting.Strides(sa, sy, aStride);
            Broadcasting.Strides(sb, sy, bStride);
            long mInner = mStride[rank - 1], aInner = aStride[rank - 1], bInner = bStride[rank - 1], mo = 0, ao = 0, bo = 0, unused = 0;
            Span<int> index = stackalloc int[rank], again = stackalloc int[rank];
            for (int start = 0; start < y.Length; start += inner)
            {
                for (int c = 0; c < inner; c++)
                    y[start + c] = mask[(int)(mo + c * mInner)] != 0 ? a[(int)(ao + c * aInner)] : b[(int)(bo + c * bInner)];
                Broadcasting.Advance(index, sy, mStride, ref mo, aStride, ref ao);
                Broadcasting.Advance(again, sy, bStride, ref bo, none, ref unused);
            }
        }

        /// <summary>y = x, with <paramref name="value"/> where the mask is <paramref name="fillWhere"/> (0 or 1, as
        /// every mask holds); the mask broadcasts to x's shape.</summary>
        public static void Fill(ReadOnlySpan<float> x, ReadOnlySpan<int> mask, Shape sm, float value, int fillWhere, Span<float> y, Shape sy)
        {
            if (mask.Length == y.Length)
            {
                var fill = new Vector<float>(value);
                var kept = new Vector<int>(1 - fillWhere);
                int i = 0;
                for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                    Vector.ConditionalSelect(Vector.Equals(new Vector<int>(mask.Slice(i)), kept), new Vector<float>(x.Slice(i)), fill).CopyTo(y.Slice(i));
                for (; i < y.Length; i++) y[i] = mask[i] == fillWhere ? value : x[i];
                return;
            }
            int rank = sy.Rank, inner = sy[rank - 1];
            Span<long> mStride = stackalloc long[rank], none = stackalloc long[rank];
            Broadcasting.Strides(sm, sy, mStride);
            long mInner = mStride[rank - 1], mo = 0, unused = 0;
            Span<int> index = stackalloc int[rank];
            for (int start = 0; start < y.Length; start += inner)
            {
                for (int c = 0; c < inner; c++)
                    y[start + c] = mask[(int)(mo + c * mInner)] == fillWhere ? value : x[start + c];
                Broadcasting.Advance(index, sy, mStride, ref mo, none, ref unused);
            }
        }
    }
}
