using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The parts of softmax cross-entropy, the reductions over a row's classes by a group of threads per row
    /// (<see cref="GroupReductions"/>), the rest one thread per row or element, with the CPU kernels' formulas (<see cref="OneFlow.Dsl.Runtime.Kernels.SoftmaxCrossEntropy"/>).</summary>
    internal static class SoftmaxCrossEntropyKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.ChunkMax, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, int, int>(ChunkMax);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads), k.In(0), k.Out, k.LastOf(0), k.OutShape[k.OutShape.Rank - 1]);
            });
            GpuKernels.Add(OpKind.SumExp, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(SumExp);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads), k.In(0), k.In(1), k.Out, k.LastOf(0));
            });
            GpuKernels.Add(OpKind.SumExpGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(SumExpGrad);
                return k => run(k.Stream, k.Threads, k.In(0), k.In(1), k.In(2), k.Out, k.LastOf(1));
            });
            GpuKernels.Add(OpKind.PickClass, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(PickClass);
                return k => run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out, k.LastOf(0), k.Geometry.InputStarts[0][k.InShape(0).Rank - 1]);
            });
            GpuKernels.Add(OpKind.PickClassGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(PickClassGrad);
                return k => run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out, k.OutShape[k.OutShape.Rank - 1], k.Geometry.OutputStart[k.OutShape.Rank - 1]);
            });
            GpuKernels.Add(OpKind.CrossEntropyRows, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(CrossEntropyRows);
                return k => run(k.Stream, k.Threads, k.In(0), k.In(1), k.In(2), k.Out);
            });
        }

        /// <summary>A group per element i = (row, chunk) of the output: the maximum of that chunk of the row, cut as a
        /// split cuts.</summary>
        public static void ChunkMax(ArrayView<float> x, ArrayView<float> y, int cols, int chunks)
        {
            int i = Grid.IdxX;
            if (i >= y.Length) return;
            int row = i / chunks, chunk = i % chunks;
            int start = chunk * (cols / chunks) + XMath.Min(chunk, cols % chunks);
            int length = cols / chunks + (chunk < cols % chunks ? 1 : 0);
            float max = GroupReductions.RowMax(x, row * cols + start, length);
            if (Group.IdxX == 0) y[i] = max;
        }

        /// <summary>A group per row: Σ exp(x − m).</summary>
        public static void SumExp(ArrayView<float> x, ArrayView<float> m, ArrayView<float> s, int cols)
        {
            int r = Grid.IdxX;
            if (r >= s.Length) return;
            float z = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) z += XMath.Exp(x[r * cols + c] - m[r]);
            z = GroupReductions.Sum(z);
            if (Group.IdxX == 0) s[r] = z;
        }

        public static void SumExpGrad(Index1D i, ArrayView<float> ds, ArrayView<float> x, ArrayView<float> m, ArrayView<float> dx, int cols)
            => dx[i] = SumExpGradOf(ds[i / cols], x[i], m[i / cols]);

        public static float SumExpGradOf(float ds, float x, float m) => ds * XMath.Exp(x - m);

        /// <summary>The label's logit where this device holds its class (labels outside every range are refused on the host).</summary>
        public static void PickClass(Index1D r, ArrayView<float> x, ArrayView<int> labels, ArrayView<float> p, int cols, int first)
        {
            int c = labels[r] - first;
            p[r] = c >= 0 && c < cols ? x[r * cols + c] : 0f;
        }

        public static void PickClassGrad(Index1D i, ArrayView<float> dy, ArrayView<int> labels, ArrayView<float> dx, int cols, int first)
        {
            int r = i / cols;
            dx[i] = labels[r] - first == i % cols ? dy[r] : 0f;
        }

        public static void CrossEntropyRows(Index1D r, ArrayView<float> s, ArrayView<float> m, ArrayView<float> p, ArrayView<float> loss)
            => loss[r] = XMath.Log(s[r]) + m[r] - p[r];
    }
}
