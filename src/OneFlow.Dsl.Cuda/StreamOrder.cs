using System;
using System.Runtime.InteropServices;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>Orders work between streams without stopping the host: an actor records an event on its stream after
    /// its kernels, and an actor on another stream that reads (or will overwrite) its register makes its own stream
    /// wait for that event. On ILGPU's CPU simulator every launch has finished when it returns, so there is nothing
    /// to order.</summary>
    internal sealed class StreamOrder : IDisposable
    {
        private readonly IntPtr[] _events;
        private readonly bool _cuda;

        public StreamOrder(Accelerator accelerator, int actors)
        {
            _cuda = accelerator.AcceleratorType == AcceleratorType.Cuda;
            _events = new IntPtr[actors];
            if (!_cuda) return;
            for (int a = 0; a < actors; a++) Check(Driver.cuEventCreate(out _events[a], Driver.DisableTiming), "cuEventCreate");
        }

        /// <summary>Marks the point on <paramref name="stream"/> after which <paramref name="actor"/>'s work is done.</summary>
        public void Done(int actor, AcceleratorStream stream)
        {
            if (_cuda) Check(Driver.cuEventRecord(_events[actor], Handle(stream)), "cuEventRecord");
        }

        /// <summary>Makes <paramref name="stream"/> wait, on the GPU, for the last recorded point of <paramref name="actor"/>.</summary>
        public void After(int actor, AcceleratorStream stream)
        {
            if (_cuda) Check(Driver.cuStreamWaitEvent(Handle(stream), _events[actor], 0), "cuStreamWaitEvent");
        }

        private static IntPtr Handle(AcceleratorStream stream) => ((CudaStream)stream).StreamPtr;

        private static void Check(int status, string call)
        {
            if (status != 0) throw new InvalidOperationException($"{call} failed with CUDA error {status}.");
        }

        public void Dispose()
        {
            if (!_cuda) return;
            foreach (var e in _events) if (e != IntPtr.Zero) Driver.cuEventDestroy_v2(e);
        }

        private static class Driver
        {
            public const uint DisableTiming = 2;
            private const string Library = "libcuda.so.1";
            [DllImport(Library)] public static extern int cuEventCreate(out IntPtr e, uint flags);
            [DllImport(Library)] public static extern int cuEventRecord(IntPtr e, IntPtr stream);
            [DllImport(Library)] public static extern int cuStreamWaitEvent(IntPtr stream, IntPtr e, uint flags);
            [DllImport(Library)] public static extern int cuEventDestroy_v2(IntPtr e);
        }
    }
}
