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

    /// <summary>How far apart the matrices of a batched product lie in A, B and C.</summary>
    internal struct BatchStrides
    {
        public int A, B, C;
    }

    /// <summary>A plain GEMM, one thread per element of C: what runs where cuBLAS does not (ILGPU's CPU simulator in
    /// the tests). On a GPU, GEMM goes through cuBLAS.</summary>
    internal static class MatMulKernels
    {
        /// <summary>MatMul through the device's <see cref="GpuGemm"/>: a batch of products (attention's heads) in one
        /// strided-batched call, a plain product in one GEMM.</summary>
        [ModuleInitializer]
        internal static void Register() => GpuKernels.Add(OpKind.MatMul, _ => MatMul);

        private static void MatMul(GpuKernelContext k)
        {
            var (sa, sb) = (k.InShape(0), k.InShape(1));
            var (transA, transB) = MatMulOp.Attributes(k.Op);
            int r = sa.Rank, rows = sa[r - 2], cols = sa[r - 1], bRows = sb[r - 2], bCols = sb[r - 1];
            int m = transA ? cols : rows, inner = transA ? rows : cols, n = transB ? bRows : bCols;
            long batch = sa.Elements / ((long)rows * cols);
            if (batch == 1) k.Gemm.Run(k.Stream, transA, transB, m, n, inner, k.In(0), cols, k.In(1), bCols, k.Out, n);
            else k.Gemm.RunBatched(k.Stream, transA, transB, m, n, inner, k.In(0), cols, (long)rows * cols, k.In(1), bCols, (long)bRows * bCols, k.Out, n, (long)m * n, (int)batch);
        }

        /// <summary>Element i of the batch's C (products one after another), from its own matrices of A and B.</summary>
        public static void GemmBatched(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s, BatchStrides t)
        {
            int product = i / (s.M * s.N), e = i % (s.M * s.N), row = e / s.N, col = e % s.N;
            long a0 = (long)product * t.A, b0 = (long)product * t.B;
            float sum = 0f;
            for (int p = 0; p < s.K; p++)
            {
                float x = s.TransA == 1 ? a[a0 + p * s.Lda + row] : a[a0 + row * s.Lda + p];
                float y = s.TransB == 1 ? b[b0 + col * s.Ldb + p] : b[b0 + p * s.Ldb + col];
                sum += x * y;
            }
            c[(long)product * t.C + row * s.Ldc + col] = sum;
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
