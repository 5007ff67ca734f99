using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Σ x² of a tensor (<c>SumSquaresOp.cs</c>): a gradient's part of the norm that clipping divides by.</summary>
    internal static class SumSquares
    {
        [ModuleInitializer]
        internal static void Register() => CpuKernels.Add(OpKind.SumSquares, k => k.Out[0] = TensorPrimitives.SumOfSquares(k.In(0)));
    }
}
