using System;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>What a training step's kernels read that changes from step to step — the learning rate and Adam's bias
    /// corrections 1 − βᵗ — kept in a small device buffer instead of passed as kernel arguments: a recorded CUDA graph
    /// replays its kernels' arguments as they were, but reads this buffer anew, which the step's first node fills from
    /// pinned host memory. So a schedule's rate and Adam's step need no new recording.</summary>
    internal sealed class StepValues : IDisposable
    {
        public const int Rate = 0, Correction1 = 1, Correction2 = 2, Count = 3;

        private readonly MemoryBuffer1D<float, Stride1D.Dense> _device;
        private readonly PageLockedArray1D<float> _host;

        public StepValues(Accelerator accelerator)
        {
            _device = accelerator.Allocate1D<float>(Count);
            _host = accelerator.AllocatePageLocked1D<float>(Count);
        }

        public ArrayView<float> View => _device.View.AsContiguous();

        /// <summary>This step's values, into the pinned memory the upload reads.</summary>
        public void Set(OptimizerSettings o) => Of(o).CopyTo(_host.Span);

        /// <summary>Enqueues the copy of the values set last onto the device (a node of a recorded step).</summary>
        public void Upload(AcceleratorStream stream) => View.CopyFromPageLockedAsync(stream, _host);

        /// <summary>The values for <paramref name="o"/>'s rate and step.</summary>
        public static float[] Of(OptimizerSettings o)
            => new[] { o.LearningRate, 1 - MathF.Pow(o.Beta1, o.Step), 1 - MathF.Pow(o.Beta2, o.Step) };

        public void Dispose()
        {
            _host.Dispose();
            _device.Dispose();
        }
    }
}
