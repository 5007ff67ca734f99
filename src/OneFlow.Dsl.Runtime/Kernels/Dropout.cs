using System;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Dropout whose mask is a pure function of (key, step, index in the whole tensor): a device holding a
    /// part of the tensor draws exactly the decisions one device holding all of it would.</summary>
    internal static class Dropout
    {
        /// <summary>The forward op's mask is keyed by its output tensor; its gradient names that tensor.</summary>
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Dropout, k => Apply(k, DropoutOp.Probability(k.Op), k.Op.Output));
            CpuKernels.Add(OpKind.DropoutGrad, k => Apply(k, DropoutGradOp.Attributes(k.Op).P, DropoutGradOp.Attributes(k.Op).MaskOf));
        }

        private static void Apply(CpuKernelContext k, double p, long key)
        {
            Span<long> strides = stackalloc long[k.WholeOut.Rank];
            OpGeometry.Strides(k.WholeOut, strides);
            Apply(k.In(0), k.Out, p, key, k.Piece, k.Geometry.OutputStart, k.OutShape, strides);
        }

        /// <summary>y = x · keep / (1 − p) over a part of a tensor: <paramref name="start"/> and
        /// <paramref name="length"/> give the part's box in the whole tensor, <paramref name="strides"/> the whole
        /// tensor's row-major strides.</summary>
        public static void Apply(ReadOnlySpan<float> x, Span<float> y, double p, long key, long step,
            ReadOnlySpan<int> start, Shape length, ReadOnlySpan<long> strides)
        {
            int rank = length.Rank;
            Span<int> index = stackalloc int[Math.Max(rank, 1)];
            index.Clear();
            float scale = (float)(1 / (1 - p));
            for (int i = 0; i < x.Length; i++)
            {
                long global = 0;
                for (int a = 0; a < rank; a++) global += (start[a] + index[a]) * strides[a];
                y[i] = Keep(key, step, global, p) ? x[i] * scale : 0f;
                for (int a = rank - 1; a >= 0 && ++index[a] == length[a]; a--) index[a] = 0;
            }
        }

        /// <summary>SplitMix64 of the three keys, compared with p.</summary>
        public static bool Keep(long key, long step, long index, double p)
        {
            ulong z = (ulong)key * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xC2B2AE3D27D4EB4FUL ^ (ulong)index * 0x165667B19E3779F9UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53)) >= p;
        }
    }
}
