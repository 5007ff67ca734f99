using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The sigmoid and its gradient, vectorised.</summary>
    internal static class Sigmoid
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Sigmoid, k => TensorPrimitives.Sigmoid(k.In(0), k.Out));
            CpuKernels.Add(OpKind.SigmoidGrad, k => Backward(k.In(0), k.In(1), k.Out));
        }

        /// <summary>dx = dy · y(1 − y).</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
        {
            TensorPrimitives.Subtract(1f, y, dx);
            TensorPrimitives.Multiply(dx, y, dx);
            TensorPrimitives.Multiply(dx, dy, dx);
        }
    }
}
