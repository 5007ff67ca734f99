using System;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>A CPU kernel's operands: the geometry and run values of <see cref="KernelContext"/>, and where this
    /// act's slots lie in host memory (set before every act).</summary>
    internal sealed unsafe class CpuKernelContext : KernelContext
    {
        private readonly IntPtr[] _inputs;
        private IntPtr _output, _workspace;

        public CpuKernelContext(OpGeometry geometry) : base(geometry) => _inputs = new IntPtr[geometry.Inputs.Length];

        /// <summary>Threads a matrix product may use: the cores shared among the devices that run at once.</summary>
        public int Threads { get; set; } = Gemm.DefaultThreads;

        public void SetInput(int input, void* at) => _inputs[input] = (IntPtr)at;
        public void SetOutput(void* at) => _output = (IntPtr)at;
        public void SetWorkspace(void* at) => _workspace = (IntPtr)at;

        public float* InPointer(int input) => (float*)_inputs[input];
        public float* OutPointer => (float*)_output;

        /// <summary>The op's scratch memory in the arena (see <c>OpDef.WorkspaceElements</c>); its contents do not
        /// outlast the act.</summary>
        public float* Workspace => (float*)_workspace;

        public ReadOnlySpan<float> In(int input) => new ReadOnlySpan<float>(InPointer(input), (int)InShape(input).Elements);

        /// <summary>An input of integers: labels or ids.</summary>
        public ReadOnlySpan<int> Ints(int input) => new ReadOnlySpan<int>(InPointer(input), (int)InShape(input).Elements);

        /// <summary>An input the op updates in place (a weight, an optimizer state).</summary>
        public Span<float> Mutable(int input) => new Span<float>(InPointer(input), (int)InShape(input).Elements);

        public Span<float> Out => new Span<float>(OutPointer, (int)OutShape.Elements);

        /// <summary>An output of integers (positions).</summary>
        public Span<int> OutInts => new Span<int>(OutPointer, (int)OutShape.Elements);
    }
}
