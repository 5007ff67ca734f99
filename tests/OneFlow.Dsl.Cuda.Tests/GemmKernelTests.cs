using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>The GPU GEMM (the plain kernel here, cuBLAS on a GPU) against the CPU GEMM, for every transpose and
    /// with leading dimensions wider than the matrices.</summary>
    public class GemmKernelTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public GemmKernelTests(GpuFixture gpu) => _gpu = gpu;

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        [InlineData(true, true)]
        public unsafe void Products_match_the_cpu(bool transA, bool transB)
        {
            const int m = 5, n = 7, k = 6;
            int rowsA = transA ? k : m, colsA = transA ? m : k, rowsB = transB ? n : k, colsB = transB ? k : n;
            var random = new Random(9);
            float[] a = Enumerable.Range(0, rowsA * colsA).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            float[] b = Enumerable.Range(0, rowsB * colsB).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var expected = new float[m * n];
            fixed (float* pa = a, pb = b, pc = expected)
                Runtime.Kernels.Gemm.Sgemm(transA, transB, m, n, k, pa, colsA, pb, colsB, pc, n, false, 1);
            using var ga = _gpu.Upload(a);
            using var gb = _gpu.Upload(b);
            using var gc = _gpu.Upload(new float[m * n]);
            using var gemm = new GpuGemm(_gpu.Gpu.Accelerator);
            gemm.Run(_gpu.Gpu.Accelerator.DefaultStream, transA, transB, m, n, k, ga.View, colsA, gb.View, colsB, gc.View, n);
            var actual = _gpu.Download(gc, m * n);
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"element {i}: CPU {expected[i]}, GPU {actual[i]}");
        }
    }
}
