using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Reductions by a group of threads: a row's maximum or sum (softmax, layer norm, cross-entropy) with one
    /// group per row, each thread taking every G-th element and the group combining its threads' values through shared
    /// memory; and a whole tensor's sum (a loss, a squared norm) by one group. The order of the additions is not the
    /// CPU's, so results agree with it to rounding.</summary>
    internal static class GroupReductions
    {
        /// <summary>Threads per group: enough for a row of a few hundred elements to take one or two loads per thread,
        /// capped by what the accelerator allows (the simulator's groups are small).</summary>
        public const int Threads = 256;

        public static int GroupSize(Accelerator a) => Math.Min(Threads, a.MaxNumThreadsPerGroup);

        /// <summary>One group per row (none for an empty tensor).</summary>
        public static KernelConfig PerRow(Accelerator a, int rows) => new KernelConfig(Math.Max(rows, 1), GroupSize(a));

        public static KernelConfig OneGroup(Accelerator a) => new KernelConfig(1, GroupSize(a));

        public static float Max(float value) => GroupExtensions.AllReduce<float, MaxFloat>(value);

        public static float Sum(float value) => GroupExtensions.AllReduce<float, AddFloat>(value);

        public static double Sum(double value) => GroupExtensions.AllReduce<double, AddDouble>(value);

        public static int Min(int value) => GroupExtensions.AllReduce<int, MinInt32>(value);

        /// <summary>The maximum of <paramref name="count"/> elements from <paramref name="offset"/>, by the whole group.</summary>
        public static float RowMax(ArrayView<float> x, int offset, int count)
        {
            float max = float.NegativeInfinity;
            for (int c = Group.IdxX; c < count; c += Group.DimX) max = XMath.Max(max, x[offset + c]);
            return Max(max);
        }
    }
}
