using System;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>How kernels over rows of the last axis are launched: one group of threads per row, the row's maxima and
    /// sums reduced through shared memory (<see cref="GroupReductions"/>).</summary>
    internal static class RowLaunch
    {
        /// <summary>A group per row of the output's last axis.</summary>
        internal static void Rows(OpKind kind, Action<ArrayView<float>, ArrayView<float>, int> kernel)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadKernel(kernel);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads / k.LastOf(0)), k.In(0), k.Out, k.LastOf(0));
            });

        /// <summary>A group per row, from dy and a saved tensor of the output's shape.</summary>
        internal static void GradientRows(OpKind kind, Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, int> kernel)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadKernel(kernel);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads / k.LastOf(1)), k.In(0), k.In(1), k.Out, k.LastOf(1));
            });
    }
}
