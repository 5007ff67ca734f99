using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using CpuDecoding = OneFlow.Dsl.Runtime.Kernels.Decoding;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Incremental decoding on the GPU, with the CPU kernels' formulas (<see cref="CpuDecoding"/>).</summary>
    internal static class DecodingKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            // One thread per element of the new value, then the cache copied out: two launches on the op's stream.
            GpuKernels.Add(OpKind.CacheAppend, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, int>(Append);
                return k =>
                {
                    var (outer, length, inner) = CpuDecoding.Around(k.InShape(0), CacheAppendOp.Axis(k.Op));
                    run(k.Stream, GpuKernelContext.Count(k.In(1)), k.In(0), k.In(1), k.Ints(2), outer, length, inner);
                    k.In(0).CopyTo(k.Stream, k.Out);
                };
            }, launches: _ => 2);
            GpuKernels.Add(OpKind.OffsetCausalSoftmax, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int>(OffsetCausalSoftmax);
                return k =>
                {
                    var shape = k.InShape(0);
                    int cols = shape[shape.Rank - 1];
                    run(k.Stream, k.Threads / cols, k.In(0), k.Ints(1), k.Out, cols, shape[shape.Rank - 2], (int)(shape.Elements / shape[0] / cols));
                };
            });
        }

        /// <summary>Element i of the value [B, outer, 1, inner] to its sequence's position in the cache; positions outside
        /// it write nothing (the host checks them before a step).</summary>
        public static void Append(Index1D i, ArrayView<float> cache, ArrayView<float> value, ArrayView<int> positions, int outer, int length, int inner)
        {
            int e = i % inner, row = i / inner, b = row / outer;
            int p = positions[b];
            if (p >= 0 && p < length) cache[((long)row * length + p) * inner + e] = value[i];
        }

        public static void OffsetCausalSoftmax(Index1D r, ArrayView<float> x, ArrayView<int> positions, ArrayView<float> y, int cols, int queries, int rowsPerSequence)
        {
            int o = r * cols, keep = XMath.Min(cols, positions[r / rowsPerSequence] + r % queries + 1);
            float max = x[o];
            for (int c = 1; c < keep; c++) max = XMath.Max(max, x[o + c]);
            float sum = 0f;
            for (int c = 0; c < keep; c++) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            for (int c = 0; c < cols; c++) y[o + c] = c < keep ? y[o + c] / sum : 0f;
        }
    }
}
