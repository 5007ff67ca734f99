using System;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Cuda.Kernels;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>One accelerator and its compiled kernels for a test class: the CUDA GPU where there is one, else
    /// ILGPU's CPU simulator, which runs the same kernels (at tiny sizes: it simulates every thread).</summary>
    public sealed class GpuFixture : IDisposable
    {
        internal GpuContext Gpu { get; } = GpuContext.Create(allowSimulator: true);
        internal GpuKernels Kernels { get; }

        public GpuFixture() => Kernels = new GpuKernels(Gpu.Accelerator);

        public MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] data)
        {
            var buffer = Gpu.Accelerator.Allocate1D<float>(Math.Max(1, data.Length));
            buffer.View.SubView(0, data.Length).CopyFromCPU(data);
            return buffer;
        }

        public float[] Download(MemoryBuffer1D<float, Stride1D.Dense> buffer, int length)
        {
            Gpu.Accelerator.Synchronize();
            var result = new float[length];
            buffer.View.SubView(0, length).CopyToCPU(result);
            return result;
        }

        public void Dispose() => Gpu.Dispose();
    }
}
