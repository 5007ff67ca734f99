using System;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>What a training step's kernels read that changes from step to step — the learning rate, Adam's bias
    /// corrections 1 − βᵗ and the step's number, which keys dropout's mask — kept in a small device buffer instead of
    /// passed as kernel arguments: a recorded CUDA graph replays its kernels' arguments as they were, but reads this
    /// buffer anew, which the step's first node fills from pinned host memory. So no step needs a new recording.</summary>
    internal sealed class StepValues : IDisposable
    {
        /// <summary>The slots; the step's number is a 64-bit integer in two, its low and high halves' bits.</summary>
        public const int Rate = 0, Correction1 = 1, Correction2 = 2, PieceLow = 3, PieceHigh = 4, Count = 5;

        private readonly MemoryBuffer1D<float, Stride1D.Dense> _device;
        private readonly PageLockedArray1D<float> _host;

        public StepValues(Accelerator accelerator)
        {
            _device = accelerator.Allocate1D<float>(Count);
            _host = accelerator.AllocatePageLocked1D<float>(Count);
        }

        public ArrayView<float> View => _device.View.AsContiguous();

        /// <summary>This step's values, into the pinned memory the upload reads.</summary>
        public void Set(OptimizerSettings o, long piece) => Of(o, piece).CopyTo(_host.Span);

        /// <summary>Enqueues the copy of the values set last onto the device (a node of a recorded step).</summary>
        public void Upload(AcceleratorStream stream) => View.CopyFromPageLockedAsync(stream, _host);

        /// <summary>The values for <paramref name="o"/>'s rate and step, and the number of the piece the step runs.</summary>
        public static float[] Of(OptimizerSettings o, long piece)
            => new[] { o.LearningRate, 1 - MathF.Pow(o.Beta1, o.Step), 1 - MathF.Pow(o.Beta2, o.Step),
                BitConverter.Int32BitsToSingle((int)piece), BitConverter.Int32BitsToSingle((int)(piece >> 32)) };

        /// <summary>The piece's number, inside a kernel.</summary>
        public static long Piece(ArrayView<float> values)
            => (long)(uint)Interop.FloatAsInt(values[PieceLow]) | (long)Interop.FloatAsInt(values[PieceHigh]) << 32;

        public void Dispose()
        {
            _host.Dispose();
            _device.Dispose();
        }
    }
}
