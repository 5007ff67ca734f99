using System;
using System.Runtime.InteropServices;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>A whole training step recorded once as a CUDA graph and replayed with one launch: the plan is
    /// static, so every later step enqueues exactly the same kernels on the same buffers. Capture follows the
    /// first stream; the others join it through events (see <see cref="StreamOrder"/>).</summary>
    internal sealed class CudaGraph : IDisposable
    {
        private IntPtr _graph, _exec;

        public bool Ready => _exec != IntPtr.Zero;

        public static void Begin(AcceleratorStream origin)
            => Check(Driver.cuStreamBeginCapture_v2(Handle(origin), Driver.RelaxedCapture), "cuStreamBeginCapture_v2");

        public void End(AcceleratorStream origin)
        {
            Check(Driver.cuStreamEndCapture(Handle(origin), out _graph), "cuStreamEndCapture");
            Check(Driver.cuGraphInstantiateWithFlags(out _exec, _graph, 0), "cuGraphInstantiateWithFlags");
        }

        public void Launch(AcceleratorStream origin) => Check(Driver.cuGraphLaunch(_exec, Handle(origin)), "cuGraphLaunch");

        private static IntPtr Handle(AcceleratorStream stream) => ((CudaStream)stream).StreamPtr;

        private static void Check(int status, string call)
        {
            if (status != 0) throw new InvalidOperationException($"{call} failed with CUDA error {status}.");
        }

        public void Dispose()
        {
            if (_exec != IntPtr.Zero) Driver.cuGraphExecDestroy(_exec);
            if (_graph != IntPtr.Zero) Driver.cuGraphDestroy(_graph);
            _exec = _graph = IntPtr.Zero;
        }

        private static class Driver
        {
            public const int RelaxedCapture = 2;
            private const string Library = "libcuda.so.1";
            [DllImport(Library)] public static extern int cuStreamBeginCapture_v2(IntPtr stream, int mode);
            [DllImport(Library)] public static extern int cuStreamEndCapture(IntPtr stream, out IntPtr graph);
            [DllImport(Library)] public static extern int cuGraphInstantiateWithFlags(out IntPtr exec, IntPtr graph, ulong flags);
            [DllImport(Library)] public static extern int cuGraphLaunch(IntPtr exec, IntPtr stream);
            [DllImport(Library)] public static extern int cuGraphExecDestroy(IntPtr exec);
            [DllImport(Library)] public static extern int cuGraphDestroy(IntPtr graph);
        }
    }
}
