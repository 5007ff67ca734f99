using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The running sum along an axis (<c>CumsumOp.cs</c>): x seen as [outer, length, inner]; each step adds
    /// a run of <c>inner</c> elements to the previous step's in one vector call (one element at a time where the
    /// axis is the last).</summary>
    internal static class Cumsum
    {
        [ModuleInitializer]
        internal static void Register() => CpuKernels.Add(OpKind.Cumsum, k =>
        {
            var (axis, reverse) = CumsumOp.Attributes(k.Op, k.InShape(0).Rank);
            Run(k.In(0), k.InShape(0), axis, reverse, k.Out);
        });

        public static void Run(ReadOnlySpan<float> x, Shape shape, int axis, bool reverse, Span<float> y)
        {
            int length = shape[axis], inner = 1;
            for (int k = axis + 1; k < shape.Rank; k++) inner *= shape[k];
            int block = length * inner;
            for (int start = 0; start < x.Length; start += block)
            {
                for (int step = 0; step < length; step++)
                {
                    int i = reverse ? length - 1 - step : step, at = start + i * inner;
                    var row = y.Slice(at, inner);
                    if (step == 0) x.Slice(at, inner).CopyTo(row);
                    else TensorPrimitives.Add(x.Slice(at, inner), y.Slice(at + (reverse ? inner : -inner), inner), row);
                }
            }
        }
    }
}
