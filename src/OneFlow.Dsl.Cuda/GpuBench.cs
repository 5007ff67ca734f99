using System;
using System.Diagnostics;
using ILGPU.Runtime;
using OneFlow.Dsl.Cuda.Kernels;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>The GPU micro-benchmarks the samples' <c>--bench</c> mode prints beside the training step: SGEMM
    /// through the backend's GEMM and a large elementwise add (through the Add op's kernel), each the median of
    /// several timed rounds after a warm-up, with the GPU synchronised around each round; on the process's GPU.</summary>
    public static class GpuBench
    {
        /// <summary>Seconds for one n×n×n SGEMM.</summary>
        public static double Sgemm(int n)
        {
            var acc = CudaBackend.Device.Gpu.Accelerator;
            using var a = acc.Allocate1D<float>((long)n * n);
            using var b = acc.Allocate1D<float>((long)n * n);
            using var c = acc.Allocate1D<float>((long)n * n);
            // Random operands, as the peer multiplies (zeros could take a faster path through the hardware).
            var random = new Random(1);
            var host = new float[(long)n * n];
            for (long i = 0; i < host.Length; i++) host[i] = (float)(random.NextDouble() * 2 - 1);
            a.CopyFromCPU(host);
            for (long i = 0; i < host.Length; i++) host[i] = (float)(random.NextDouble() * 2 - 1);
            b.CopyFromCPU(host);
            using var gemm = new GpuGemm(acc);
            var stream = acc.DefaultStream;
            return Median(acc, 5, () => gemm.Run(stream, false, false, n, n, n, a.View.AsContiguous(), n, b.View.AsContiguous(), n, c.View.AsContiguous(), n));
        }

        /// <summary>Seconds for y = a + b over <paramref name="n"/> floats.</summary>
        public static double Add(int n)
        {
            var (gpu, kernels) = CudaBackend.Device;
            var acc = gpu.Accelerator;
            using var a = acc.Allocate1D<float>(n);
            using var b = acc.Allocate1D<float>(n);
            using var y = acc.Allocate1D<float>(n);
            var (graph, op) = SingleOp.Build(OpKind.Add, new[] { new Shape(n), new Shape(n) }, new[] { DType.F32, DType.F32 });
            var add = kernels.For(OpKind.Add);
            var context = new GpuKernelContext(SingleOp.Geometry(graph, op), new[] { a.View.AsContiguous(), b.View.AsContiguous() }, y.View.AsContiguous(), acc.DefaultStream, null);
            return Median(acc, 20, () => add(context));
        }

        private static double Median(Accelerator acc, int repeats, Action launch)
        {
            launch();
            acc.Synchronize();
            var rounds = new double[7];
            for (int r = 0; r < rounds.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < repeats; i++) launch();
                acc.Synchronize();
                rounds[r] = clock.Elapsed.TotalSeconds / repeats;
            }
            Array.Sort(rounds);
            return rounds[rounds.Length / 2];
        }
    }
}
