using System.Runtime.CompilerServices;
using ILGPU;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The sizes of a row-major C[m,n] = op(A)·op(B), passed to a kernel by value.</summary>
    internal struct GemmShape
    {
        public int M, N, K, Lda, Ldb, Ldc, TransA, TransB, Accumulate;
    }

    /// <summary>A plain GEMM, one thread per element of C: what runs where cuBLAS does not (ILGPU's CPU simulator in
    /// the tests). On a GPU, GEMM goes through cuBLAS.</summary>
    internal static class MatMulKernels
    {
        /// <summary>MatMul: one product per matrix of the batch (a plain matrix product is a batch of one), through the
        /// device's <see cref="GpuGemm"/>.</summary>
        [ModuleInitializer]
        internal static void Register() => GpuKernels.Add(OpKind.MatMul, _ => MatMul, launches: g => (int)Batch(g.Inputs[0]));

        /// <summary>The matrices of a batched product: one cuBLAS call each.</summary>
        private static long Batch(Planner.Model.Shape a) => a.Elements / ((long)a[a.Rank - 2] * a[a.Rank - 1]);

        private static void MatMul(GpuKernelContext k)
        {
            var (sa, sb) = (k.InShape(0), k.InShape(1));
            var (transA, transB) = MatMulOp.Attributes(k.Op);
            int r = sa.Rank, rows = sa[r - 2], cols = sa[r - 1], bRows = sb[r - 2], bCols = sb[r - 1];
            int m = transA ? cols : rows, inner = transA ? rows : cols, n = transB ? bRows : bCols;
            long batch = sa.Elements / ((long)rows * cols);
            ArrayView<float> x = k.In(0), w = k.In(1), y = k.Out;
            for (long i = 0; i < batch; i++)
                k.Gemm.Run(k.Stream, transA, transB, m, n, inner, x.SubView(i * rows * cols, rows * cols), cols,
                    w.SubView(i * bRows * bCols, bRows * bCols), bCols, y.SubView(i * m * n, (long)m * n), n);
        }

        public static void Gemm(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
        {
            int row = i / s.N, col = i % s.N;
            float sum = 0f;
            for (int p = 0; p < s.K; p++)
            {
                float x = s.TransA == 1 ? a[p * s.Lda + row] : a[row * s.Lda + p];
                float y = s.TransB == 1 ? b[col * s.Ldb + p] : b[p * s.Ldb + col];
                sum += x * y;
            }
            c[row * s.Ldc + col] = s.Accumulate == 1 ? c[row * s.Ldc + col] + sum : sum;
        }
    }
}
