using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A GPU kernel's operands: the geometry and run values of <see cref="KernelContext"/>, the views of its
    /// registers in device memory (fixed for the session: one slot each), the stream of its device, that device's
    /// matrix multiplier, and scratch memory where the kernel asked for some.</summary>
    internal sealed class GpuKernelContext : KernelContext
    {
        private readonly ArrayView<float>[] _inputs;

        private readonly GpuGemm? _gemm;

        /// <param name="gemm">The device's matrix multiplier; only MatMul needs one.</param>
        public GpuKernelContext(OpGeometry geometry, ArrayView<float>[] inputs, ArrayView<float> output, AcceleratorStream stream, GpuGemm? gemm)
            : base(geometry)
        {
            _inputs = inputs;
            Out = output;
            Stream = stream;
            _gemm = gemm;
        }

        public AcceleratorStream Stream { get; }
        public GpuGemm Gemm => _gemm ?? throw new System.InvalidOperationException($"{Op.Kind} was given no matrix multiplier.");
        public ArrayView<float> Out { get; }
        public ArrayView<float> Scratch { get; internal set; }

        /// <summary>The step's values on the device (<see cref="Cuda.StepValues"/>): the rate and Adam's bias corrections,
        /// which update kernels read there rather than take as arguments.</summary>
        public ArrayView<float> StepValues { get; internal set; }

        /// <summary>The op's workspace in the arena, as the plan sized it for every backend (see <c>OpDef.WorkspaceElements</c>).</summary>
        public ArrayView<float> Workspace { get; internal set; }

        public ArrayView<float> In(int input) => _inputs[input];

        /// <summary>The session's whole device memory, of which every register's view is a part: what a kernel reads that
        /// takes its operands by offset (a fused group, whose inputs are many).</summary>
        public ArrayView<float> Memory { get; internal set; }

        /// <summary>Where each input's and the output's view begins in <see cref="Memory"/>.</summary>
        public long[] InputOffsets { get; internal set; } = System.Array.Empty<long>();
        public long OutputOffset { get; internal set; }

        /// <summary>The instance's table of ints on the device, as the kernel's <see cref="GpuKernel.Table"/> made it.</summary>
        public ArrayView<int> Table { get; internal set; }

        /// <summary>An input of integers (labels, ids), stored bit for bit in float memory.</summary>
        public ArrayView<int> Ints(int input) => _inputs[input].Cast<int>();

        /// <summary>One thread per output element.</summary>
        public int Threads => Count(Out);

        public static int Count(ArrayView<float> view)
            => view.Length <= int.MaxValue ? (int)view.Length : throw new System.NotSupportedException("A GPU tensor part holds at most 2³¹−1 elements.");
    }
}
