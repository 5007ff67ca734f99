using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The comparisons (<c>ComparisonOps.cs</c>): masks of 0 and 1, a vector at a time where the operands
    /// have the output's shape or one is a number, a row at a time by broadcast strides otherwise.</summary>
    internal static class Comparison
    {
        [ModuleInitializer]
        internal static void Register()
        {
            foreach (var kind in new[] { OpKind.Gt, OpKind.Lt, OpKind.Ge, OpKind.Le, OpKind.Eq, OpKind.Ne })
            {
                int relation = (int)((ComparisonOp)OpRegistry.Get(kind)).Relation;
                CpuKernels.Add(kind, k =>
                {
                    if (k.Geometry.Inputs.Length == 1) Compare(relation, k.In(0), ComparisonOp.Value(k.Op), k.OutInts);
                    else Compare(relation, k.In(0), k.InShape(0), k.In(1), k.InShape(1), k.OutInts, k.OutShape);
                });
            }
        }

        public static void Compare(int relation, ReadOnlySpan<float> x, float value, Span<int> mask)
        {
            var v = new Vector<float>(value);
            int i = 0;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                Ones(relation, new Vector<float>(x.Slice(i)), v).CopyTo(mask.Slice(i));
            for (; i < x.Length; i++) mask[i] = ComparisonOp.Holds(relation, x[i], value) ? 1 : 0;
        }

        public static void Compare(int relation, ReadOnlySpan<float> a, Shape sa, ReadOnlySpan<float> b, Shape sb, Span<int> mask, Shape sy)
        {
            if (a.Length == mask.Length && b.Length == mask.Length) { Same(relation, a, b, mask); return; }
            int rank = sy.Rank, inner = sy[rank - 1];
            Span<long> aStride = stackalloc long[rank], bStride = stackalloc long[rank];
            Broadcasting.Strides(sa, sy, aStride);
            Broadcasting.Strides(sb, sy, bStride);
            long aInner = aStride[rank - 1], bInner = bStride[rank - 1], ao = 0, bo = 0;
            Span<int> index = stackalloc int[rank];
            for (int start = 0; start < mask.Length; start += inner)
            {
                for (int c = 0; c < inner; c++)
                    mask[start + c] = ComparisonOp.Holds(relation, a[(int)(ao + c * aInner)], b[(int)(bo + c * bInner)]) ? 1 : 0;
                Broadcasting.Advance(index, sy, aStride, ref ao, bStride, ref bo);
            }
        }

        private static void Same(int relation, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<int> mask)
        {
            int i = 0;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
                Ones(relation, new Vector<float>(a.Slice(i)), new Vector<float>(b.Slice(i))).CopyTo(mask.Slice(i));
            for (; i < a.Length; i++) mask[i] = ComparisonOp.Holds(relation, a[i], b[i]) ? 1 : 0;
        }

        /// <summary>1 where the relation holds, 0 elsewhere (the vector comparisons give all bits set, −1, for true).</summary>
        private static Vector<int> Ones(int relation, Vector<float> a, Vector<float> b) => -((Relation)relation switch
        {
            Relation.Gt => Vector.GreaterThan(a, b),
            Relation.Lt => Vector.LessThan(a, b),
            Relation.Ge => Vector.GreaterThanOrEqual(a, b),
            Relation.Le => Vector.LessThanOrEqual(a, b),
            Relation.Eq => Vector.Equals(a, b),
            _ => ~Vector.Equals(a, b),
        });
    }
}
