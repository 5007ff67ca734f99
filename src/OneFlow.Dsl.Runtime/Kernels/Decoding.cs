using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The kernels of incremental decoding: appending a position to a cache, and the causal softmax of
    /// queries that start at a position.</summary>
    internal static class Decoding
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.CacheAppend, k =>
            {
                Append(k.Mutable(0), k.In(1), k.Ints(2), k.InShape(0), CacheAppendOp.Axis(k.Op));
                k.In(0).CopyTo(k.Out);
            });
            CpuKernels.Add(OpKind.OffsetCausalSoftmax, k => OffsetCausalSoftmax(k.In(0), k.Ints(1), k.InShape(0), k.Out));
        }

        /// <summary>cache[b, …, positions[b], …] = value[b, …, 0, …] along <paramref name="axis"/>.</summary>
        public static void Append(Span<float> cache, ReadOnlySpan<float> value, ReadOnlySpan<int> positions, Shape shape, int axis)
        {
            var (outer, length, inner) = Around(shape, axis);
            for (int b = 0; b < shape[0]; b++)
            {
                int p = positions[b];
                if ((uint)p >= (uint)length) throw new ArgumentOutOfRangeException(nameof(positions), $"Position {p} is outside the cache's {length}.");
                for (int o = 0; o < outer; o++)
                    value.Slice((b * outer + o) * inner, inner).CopyTo(cache.Slice(((b * outer + o) * length + p) * inner, inner));
            }
        }

        /// <summary>Per sequence: the product of the axes between the batch and <paramref name="axis"/>, its length, and
        /// the product of the axes after it.</summary>
        public static (int Outer, int Length, int Inner) Around(Shape shape, int axis)
        {
            int outer = 1, inner = 1;
            for (int k = 1; k < axis; k++) outer *= shape[k];
            for (int k = axis + 1; k < shape.Rank; k++) inner *= shape[k];
            return (outer, shape[axis], inner);
        }

        /// <summary>Row i (of Tq) of sequence b over its first positions[b] + i + 1 entries, zeros after.</summary>
        public static void OffsetCausalSoftmax(ReadOnlySpan<float> x, ReadOnlySpan<int> positions, Shape shape, Span<float> y)
        {
            int cols = shape[shape.Rank - 1], queries = shape[shape.Rank - 2];
            int rowsPerSequence = (int)(shape.Elements / shape[0] / cols);
            for (int r = 0; r < x.Length / cols; r++)
            {
                int keep = Math.Min(cols, positions[r / rowsPerSequence] + r % queries + 1);
                TensorPrimitives.SoftMax(x.Slice(r * cols, keep), y.Slice(r * cols, keep));
                y.Slice(r * cols + keep, cols - keep).Clear();
            }
        }
    }
}
