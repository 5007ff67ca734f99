using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>C = A·B for 1024×1024 matrices: 2.147 GFLOP per call, so GFLOP/s = 2.147 / (mean in seconds).
    /// The Allocated column must read 0 B (or "-").</summary>
    [MemoryDiagnoser]
    public unsafe class Sgemm1024
    {
        private const int N = 1024;
        private float* _a, _b, _c;

        [GlobalSetup]
        public void Setup()
        {
            _a = Matrices.Random(N * N, seed: 1);
            _b = Matrices.Random(N * N, seed: 2);
            _c = Matrices.Random(N * N, seed: 3);
        }

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

    /// <summary>The GEMMs of one training step of the 784-512-512-10 MLP at batch 64 (forward, weight gradient,
    /// input gradient): m = 64 or a k of 64, where packing and edges weigh more than at 1024³.</summary>
    [MemoryDiagnoser]
    public unsafe class SgemmTrainingShapes
    {
        private float* _a, _b, _c;

        [Params("64x784*784x512", "64x512*512x512", "64x512*(512x512)T", "(64x784)T*64x512", "64x512*512x10")]
        public string Shape { get; set; } = "";

        [Params(1, 2)]
        public int Threads { get; set; }

        private bool _ta, _tb;
        private int _m, _n, _k;

        [GlobalSetup]
        public void Setup()
        {
            (_ta, _tb, _m, _n, _k) = Shape switch
            {
                "64x784*784x512" => (false, false, 64, 512, 784),
                "64x512*512x512" => (false, false, 64, 512, 512),
                "64x512*(512x512)T" => (false, true, 64, 512, 512),
                "(64x784)T*64x512" => (true, false, 784, 512, 64),
                _ => (false, false, 64, 10, 512),
            };
            _a = Matrices.Random(_m * _k, seed: 1);
            _b = Matrices.Random(_k * _n, seed: 2);
            _c = Matrices.Random(_m * _n, seed: 3);
        }

        [Benchmark]
        public void Sgemm() =>
            Gemm.Sgemm(_ta, _tb, _m, _n, _k, _a, _ta ? _m : _k, _b, _tb ? _k : _n, _c, _n, false, Threads);

        [GlobalCleanup]
        public void Cleanup()
        {
            NativeMemory.AlignedFree(_a);
            NativeMemory.AlignedFree(_b);
            NativeMemory.AlignedFree(_c);
        }
    }

    internal static unsafe class Matrices
    {
        public static float* Random(int count, int seed)
        {
            var x = (float*)NativeMemory.AlignedAlloc((nuint)count * sizeof(float), 64);
            var random = new System.Random(seed);
            for (int i = 0; i < count; i++) x[i] = (float)random.NextDouble();
            return x;
        }
    }
}
