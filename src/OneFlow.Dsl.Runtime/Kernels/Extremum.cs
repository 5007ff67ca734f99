using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The positions of the extremum ops (<c>ExtremumOps.cs</c>): each row's first maximum over the last
    /// axis. The values are <see cref="MaxLast"/>'s.</summary>
    internal static class Extremum
    {
        [ModuleInitializer]
        internal static void Register() => CpuKernels.Add(OpKind.ArgMaxLast, k => ArgMaxLast(k.In(0), k.LastOf(0), k.OutInts));

        /// <summary>TensorPrimitives' first index of the maximum, a NaN's where there is one, as torch.argmax.</summary>
        public static void ArgMaxLast(ReadOnlySpan<float> x, int cols, Span<int> positions)
        {
            for (int r = 0; r < positions.Length; r++) positions[r] = TensorPrimitives.IndexOfMax(x.Slice(r * cols, cols));
        }
    }
}
