using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>C = A·B for 1024×1024 matrices: 2.15 GFLOP per call. GFLOP/s = 2.147 / (mean in seconds).</summary>
    [MemoryDiagnoser]
    public unsafe class Sgemm1024
    {
        private const int N = 1024;
        private float* _a, _b, _c;

        [GlobalSetup]
        public void Setup()
        {
            _a = Alloc();
            _b = Alloc();
            _c = Alloc();
            var random = new System.Random(1);
            for (int i = 0; i < N * N; i++) { _a[i] = (float)random.NextDouble(); _b[i] = (float)random.NextDouble(); }
        }

        private static float* Alloc() => (float*)NativeMemory.AlignedAlloc(N * N * sizeof(float), 64);

        [Benchmark(Description = "Sgemm1024 all cores")]
        public void AllCores() => Gemm.Sgemm(false, false, N, N, N, _a, N, _b, N, _c, N, false, Gemm.DefaultThreads);

        [Benchmark(Description = "Sgemm1024 one core")]
        public void OneCore() => Gemm.Sgemm(false, false, N, N, N, _a, N, _b, N, _c, N, false, 1);

        [GlobalCleanup]
        public void Cleanup()
        {
            NativeMemory.AlignedFree(_a);
            NativeMemory.AlignedFree(_b);
            NativeMemory.AlignedFree(_c);
        }
    }
}
