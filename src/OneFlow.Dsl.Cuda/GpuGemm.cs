using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using OneFlow.Dsl.Cuda.Kernels;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>Row-major SGEMM on one stream: cuBLAS on a CUDA GPU (a handle per device thread, its stream set per
    /// call), the plain kernel elsewhere. cuBLAS is column-major, so C = op(A)·op(B) runs as Cᵀ = op(B)ᵀ·op(A)ᵀ,
    /// which reads the same buffers with the operands swapped.</summary>
    internal sealed class GpuGemm : System.IDisposable
    {
        private readonly System.Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>? _plain;
        private readonly System.Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, BatchStrides>? _plainBatched;
        private readonly CuBlas? _blas;

        public GpuGemm(Accelerator accelerator)
        {
            if (!(accelerator is CudaAccelerator cuda))
            {
                _plain = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(MatMulKernels.Gemm);
                _plainBatched = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, BatchStrides>(MatMulKernels.GemmBatched);
            }
            else
            {
                CublasLibrary.Install();
                _blas = new CuBlas(cuda); // default math mode: full fp32, TF32 off, as the peer figure is measured
            }
        }

        /// <param name="accumulate">Add the product to C's old value rather than replace it.</param>
        public void Run(AcceleratorStream stream, bool transA, bool transB, int m, int n, int k, ArrayView<float> a, int lda, ArrayView<float> b, int ldb,
            ArrayView<float> c, int ldc, bool accumulate = false)
        {
            if (_blas == null)
            {
                _plain!(stream, m * n, a, b, c, new GemmShape
                {
                    M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA ? 1 : 0, TransB = transB ? 1 : 0, Accumulate = accumulate ? 1 : 0,
                });
                return;
            }
            _blas.Stream = (CudaStream)stream;
            _blas.Gemm(transB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose, transA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                n, m, k, 1f, b, ldb, a, lda, accumulate ? 1f : 0f, c, ldc);
        }

        /// <summary><paramref name="batch"/> products of one shape in one launch, matrix i of A, B and C at i times their
        /// strides: cuBLAS's strided-batched SGEMM on a GPU, the plain kernel over every product's elements elsewhere.</summary>
        public void RunBatched(AcceleratorStream stream, bool transA, bool transB, int m, int n, int k, ArrayView<float> a, int lda, long strideA,
            ArrayView<float> b, int ldb, long strideB, ArrayView<float> c, int ldc, long strideC, int batch)
        {
            if (_blas == null)
            {
                _plainBatched!(stream, batch * m * n, a, b, c,
                    new GemmShape { M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA ? 1 : 0, TransB = transB ? 1 : 0 },
                    new BatchStrides { A = (int)strideA, B = (int)strideB, C = (int)strideC });
                return;
            }
            _blas.Stream = (CudaStream)stream;
            CublasBatched.Sgemm(_blas.Handle, transB, transA, n, m, k, 1f, b, ldb, strideB, a, lda, strideA, 0f, c, ldc, strideC, batch);
        }

        public void Dispose() => _blas?.Dispose();
    }
}
