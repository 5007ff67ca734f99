using ILGPU;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The sizes of a row-major C[m,n] = op(A)·op(B), passed to a kernel by value.</summary>
    public struct GemmShape
    {
        public int M, N, K, Lda, Ldb, Ldc, TransA, TransB;
    }

    /// <summary>A plain GEMM, one thread per element of C: what runs where cuBLAS does not (ILGPU's CPU simulator in
    /// the tests). On a GPU, GEMM goes through cuBLAS.</summary>
    internal static class GemmKernels
    {
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
            c[row * s.Ldc + col] = sum;
        }
    }
}
