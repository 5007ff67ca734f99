using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Row lookups into a table of which this device may hold only rows [first, first + rows): an id
    /// outside that range reads zeros (its row lives on another device) and its gradient is not added here.</summary>
    internal static class Embedding
    {
        /// <summary>A table split by rows starts at its part's first row; the gradient's part likewise.</summary>
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Embedding, k => Forward(k.Ints(0), k.In(1), k.Geometry.InputStarts[1][0], k.InShape(1)[0], k.InShape(1)[1], k.Out));
            CpuKernels.Add(OpKind.EmbeddingGrad, k => Backward(k.Ints(0), k.In(1), k.Geometry.OutputStart[0], k.OutShape[0], k.OutShape[1], k.Out));
            CpuKernels.Add(OpKind.EmbeddingBag, k => Bag(k.Ints(0), k.InShape(0)[1], k.In(1), k.Geometry.InputStarts[1][0], k.InShape(1)[0], k.InShape(1)[1],
                (float)EmbeddingBagOp.Scale(k.Op, k.InShape(0)[1]), k.Out));
            CpuKernels.Add(OpKind.EmbeddingBagGrad, k => BagBackward(k.Ints(0), k.InShape(0)[1], k.In(1), k.Geometry.OutputStart[0], k.OutShape[0], k.OutShape[1],
                (float)EmbeddingBagOp.Scale(k.Op, k.InShape(0)[1]), k.Out));
        }

        /// <summary>y[n] = scale · Σ_k table[ids[n, k]] over the bag's ids this device holds.</summary>
        public static void Bag(ReadOnlySpan<int> ids, int bag, ReadOnlySpan<float> table, int first, int rows, int width, float scale, Span<float> y)
        {
            y.Clear();
            for (int i = 0; i < ids.Length; i++)
            {
                int local = ids[i] - first;
                if ((uint)local >= (uint)rows) continue;
                var target = y.Slice(i / bag * width, width);
                TensorPrimitives.MultiplyAdd(table.Slice(local * width, width), scale, target, target);
            }
        }

        /// <summary>d table[ids[n, k]] += scale · dy[n] for the rows this device holds.</summary>
        public static void BagBackward(ReadOnlySpan<int> ids, int bag, ReadOnlySpan<float> dy, int first, int rows, int width, float scale, Span<float> dTable)
        {
            dTable.Clear();
            for (int i = 0; i < ids.Length; i++)
            {
                int local = ids[i] - first;
                if ((uint)local >= (uint)rows) continue;
                var target = dTable.Slice(local * width, width);
                TensorPrimitives.MultiplyAdd(dy.Slice(i / bag * width, width), scale, target, target);
            }
        }

        public static void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int first, int rows, int width, Span<float> y)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                var row = y.Slice(i * width, width);
                int local = ids[i] - first;
                if ((uint)local < (uint)rows) table.Slice(local * width, width).CopyTo(row);
                else row.Clear();
            }
        }

        public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> dy, int first, int rows, int width, Span<float> dTable)
        {
            dTable.Clear();
            for (int i = 0; i < ids.Length; i++)
            {
                int local = ids[i] - first;
                if ((uint)local >= (uint)rows) continue;
                var target = dTable.Slice(local * width, width);
                TensorPrimitives.Add(target, dy.Slice(i * width, width), target);
            }
        }
    }
}
