using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The mean of a step's micro-batches (<c>AccumulateOp.cs</c>), built up one micro-batch at a time.</summary>
    internal static class Accumulate
    {
        [ModuleInitializer]
        internal static void Register()
            => CpuKernels.Add(OpKind.Accumulate, k =>
            {
                int n = AccumulateOp.MicroBatches(k.Op);
                Mean(k.In(0), k.Out, k.Piece % n == 0, n);
            });

        /// <summary>y = x/n on a step's first micro-batch, y += x/n on the others: after n of them, their mean.</summary>
        public static void Mean(ReadOnlySpan<float> x, Span<float> y, bool first, int n)
        {
            if (first) TensorPrimitives.Multiply(x, 1f / n, y);
            else TensorPrimitives.MultiplyAdd(x, 1f / n, y, y);
        }
    }
}
