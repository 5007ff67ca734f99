using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Lookups and bags of lookups and their gradients (<c>EmbeddingOps.cs</c>), with the CPU kernels'
    /// formulas (<see cref="Runtime.Kernels.Embedding"/>).</summary>
    internal static class EmbeddingKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Embedding, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(EmbeddingForward);
                return k => run(k.Stream, k.Threads, k.Ints(0), k.In(1), k.Out, k.Geometry.InputStarts[1][0], k.InShape(1)[0], k.InShape(1)[1]);
            });
            GpuKernels.Add(OpKind.EmbeddingGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(EmbeddingBackward);
                return k => run(k.Stream, k.Threads, k.Ints(0), k.In(1), k.Out, k.Geometry.OutputStart[0], k.OutShape[1], (int)k.InShape(0).Elements);
            });
            GpuKernels.Add(OpKind.EmbeddingBag, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int, float>(Bag);
                return k => run(k.Stream, k.Threads, k.Ints(0), k.In(1), k.Out, k.InShape(0)[1], k.Geometry.InputStarts[1][0], k.InShape(1)[0], k.InShape(1)[1],
                    (float)EmbeddingBagOp.Scale(k.Op, k.InShape(0)[1]));
            });
            GpuKernels.Add(OpKind.EmbeddingBagGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int, float>(BagBackward);
                return k => run(k.Stream, k.Threads, k.Ints(0), k.In(1), k.Out, k.InShape(0)[1], k.Geometry.OutputStart[0], k.OutShape[1], (int)k.InShape(0).Elements,
                    (float)EmbeddingBagOp.Scale(k.Op, k.InShape(0)[1]));
            });
        }

        public static void Bag(Index1D i, ArrayView<int> ids, ArrayView<float> table, ArrayView<float> y, int bag, int first, int rows, int width, float scale)
        {
            int n = i / width, c = i % width;
            float sum = 0f;
            for (int k = 0; k < bag; k++)
            {
                int local = ids[n * bag + k] - first;
                if (local >= 0 && local < rows) sum += table[local * width + c];
            }
            y[i] = sum * scale;
        }

        public static void BagBackward(Index1D i, ArrayView<int> ids, ArrayView<float> dy, ArrayView<float> dTable, int bag, int first, int width, int count, float scale)
        {
            int row = i / width + first, c = i % width;
            float sum = 0f;
            for (int j = 0; j < count; j++) if (ids[j] == row) sum += dy[j / bag * width + c];
            dTable[i] = sum * scale;
        }

        /// <summary>Rows [first, first + rows) of the table live here; other ids read zeros.</summary>
        public static void EmbeddingForward(Index1D i, ArrayView<int> ids, ArrayView<float> table, ArrayView<float> y, int first, int rows, int width)
        {
            int local = ids[i / width] - first;
            y[i] = local >= 0 && local < rows ? table[local * width + i % width] : 0f;
        }

        public static void EmbeddingBackward(Index1D i, ArrayView<int> ids, ArrayView<float> dy, ArrayView<float> dTable, int first, int width, int count)
        {
            int row = i / width + first, c = i % width;
            float sum = 0f;
            for (int k = 0; k < count; k++) if (ids[k] == row) sum += dy[k * width + c];
            dTable[i] = sum;
        }
    }
}
