using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>The ILGPU context and the accelerator kernels run on: a CUDA GPU where the machine has one, else —
    /// only where asked for, because it is a thread-by-thread simulator — ILGPU's CPU accelerator, which runs the
    /// very same kernels and lets them be tested at tiny sizes on any machine.</summary>
    internal sealed class GpuContext : IDisposable
    {
        public Context Context { get; }
        public Accelerator Accelerator { get; }
        public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

        private GpuContext(Context context, Accelerator accelerator) { Context = context; Accelerator = accelerator; }

        /// <summary>The first CUDA GPU, or the CPU simulator when <paramref name="allowSimulator"/> and there is none.</summary>
        public static GpuContext Create(bool allowSimulator)
        {
            // Two threads per warp, one warp per group, two multiprocessors: the smallest simulated GPU that still
            // exercises warps and groups, several times faster than the default one.
            var context = Context.Create(builder => builder.Cuda().CPU(new CPUDevice(2, 1, 2)).EnableAlgorithms());
            var cuda = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
            var device = cuda ?? (allowSimulator ? context.Devices.First(d => d.AcceleratorType == AcceleratorType.CPU) : null);
            if (device == null)
            {
                context.Dispose();
                throw new InvalidOperationException("No CUDA GPU was found (ILGPU lists none); run on a machine with an NVIDIA GPU and its driver, or use a cpu placement.");
            }
            return new GpuContext(context, device.CreateAccelerator(context));
        }

        public void Dispose()
        {
            Accelerator.Dispose();
            Context.Dispose();
        }
    }
}
