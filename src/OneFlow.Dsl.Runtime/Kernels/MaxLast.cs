using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The maximum over the last axis and its gradient (<c>MaxLastOp.cs</c>).</summary>
    internal static class MaxLast
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.MaxLast, k => Forward(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.MaxLastGrad, k => Backward(k.In(0), k.In(1), k.LastOf(1), k.Out));
        }

        /// <summary>Each row's maximum.</summary>
        public static void Forward(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < y.Length; r++) y[r] = TensorPrimitives.Max(x.Slice(r * cols, cols));
        }
        /// <summary>dx = dy at each row's first maximum, zero elsewhere.</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int cols, Span<float> dx)
        {
            dx.Clear();
            for (int r = 0; r < dy.Length; r++) dx[r * cols + TensorPrimitives.IndexOfMax(x.Slice(r * cols, cols))] = dy[r];
        }
    }
}
