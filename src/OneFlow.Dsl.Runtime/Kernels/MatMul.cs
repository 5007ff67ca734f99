using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The MatMul kernel: one GEMM per matrix of the batch (a plain matrix product is a batch of one).</summary>
    internal static unsafe class MatMul
    {
        [ModuleInitializer] internal static void Register() => CpuKernels.Add(OpKind.MatMul, Run);

        private static void Run(CpuKernelContext k)
        {
            var (sa, sb) = (k.InShape(0), k.InShape(1));
            var (transA, transB) = MatMulOp.Attributes(k.Op);
            int r = sa.Rank, rows = sa[r - 2], cols = sa[r - 1], bRows = sb[r - 2], bCols = sb[r - 1];
            int m = transA ? cols : rows, inner = transA ? rows : cols, n = transB ? bRows : bCols;
            long batch = sa.Elements / ((long)rows * cols);
            float* x = k.InPointer(0), w = k.InPointer(1), y = k.OutPointer;
            for (long i = 0; i < batch; i++)
                Gemm.Sgemm(transA, transB, m, n, inner, x + i * rows * cols, cols, w + i * bRows * bCols, bCols,
                    y + i * m * n, n, accumulate: false, k.Threads);
        }
    }
}
