using System;
using OneFlow.Dsl.Cuda.Kernels;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>Makes plans placed on <c>cuda</c> devices run on the GPU: call <see cref="Use"/> once at start.
    /// The GPU and its compiled kernels are shared by every session of the process.</summary>
    public static class CudaBackend
    {
        private static readonly Lazy<(GpuContext Gpu, GpuKernels Kernels)> Shared = new Lazy<(GpuContext, GpuKernels)>(() =>
        {
            var gpu = GpuContext.Create(allowSimulator: false);
            return (gpu, new GpuKernels(gpu.Accelerator));
        });

        /// <summary>The process's GPU and kernels, created on first use; an error where the machine has no CUDA GPU.</summary>
        internal static (GpuContext Gpu, GpuKernels Kernels) Device => Shared.Value;

        /// <summary>Registers the backend; an error at the first plan if the machine has no CUDA GPU.</summary>
        public static void Use()
            => PlanSessions.Register("cuda", plan =>
            {
                var (gpu, kernels) = Shared.Value;
                if (plan.Devices > 1)
                    Console.Error.WriteLine($"warning: the plan has {plan.Devices} cuda devices; this machine runs them as {plan.Devices} streams of {gpu.Accelerator.Name}.");
                return new GpuPlanSession(plan, gpu, kernels);
            });
    }
}
