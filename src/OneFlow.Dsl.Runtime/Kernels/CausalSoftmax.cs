using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Causal attention's softmax (<c>CausalSoftmaxOp.cs</c>); its gradient is the softmax's.</summary>
    internal static class CausalSoftmax
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.CausalSoftmax, k => Forward(k.In(0), k.LastOf(0), k.Out));
        }

        /// <summary>Softmax of blocks of <paramref name="cols"/> × <paramref name="cols"/> scores, row i over its
        /// first i + 1 entries (the rest 0): causal attention's mask.</summary>
        public static void Forward(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                int keep = r % cols + 1;
                TensorPrimitives.SoftMax(x.Slice(r * cols, keep), y.Slice(r * cols, keep));
                y.Slice(r * cols + keep, cols - keep).Clear();
            }
        }
    }
}
