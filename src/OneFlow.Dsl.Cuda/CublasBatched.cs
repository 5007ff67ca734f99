using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>cuBLAS's strided-batched SGEMM, which ILGPU.Algorithms does not bind: a batch of equal products, each
    /// operand's matrices a fixed stride apart, in one call. Found in whichever cuBLAS <see cref="CublasLibrary"/> loads.</summary>
    internal static unsafe class CublasBatched
    {
        private static readonly Lazy<IntPtr> Function = new Lazy<IntPtr>(() =>
        {
            foreach (string version in new[] { "13", "12", "11" })
                if (NativeLibrary.TryLoad($"libcublas.so.{version}", out var library) && NativeLibrary.TryGetExport(library, "cublasSgemmStridedBatched", out var f))
                    return f;
            throw new DllNotFoundException("cublasSgemmStridedBatched was found in no libcublas.so.13, .12 or .11.");
        });

        /// <summary>Column-major C_i = α·op(A_i)·op(B_i) + β·C_i for i &lt; <paramref name="batch"/>, on the handle's stream.</summary>
        public static void Sgemm(IntPtr handle, bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda, long strideA,
            ArrayView<float> b, int ldb, long strideB, float beta, ArrayView<float> c, int ldc, long strideC, int batch)
        {
            var call = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, long, IntPtr, int, long, float*, IntPtr, int, long, int, int>)Function.Value;
            int status = call(handle, transA ? 1 : 0, transB ? 1 : 0, m, n, k, &alpha, a.LoadEffectiveAddressAsPtr(), lda, strideA,
                b.LoadEffectiveAddressAsPtr(), ldb, strideB, &beta, c.LoadEffectiveAddressAsPtr(), ldc, strideC, batch);
            if (status != 0) throw new InvalidOperationException($"cublasSgemmStridedBatched failed with status {status}.");
        }
    }
}
