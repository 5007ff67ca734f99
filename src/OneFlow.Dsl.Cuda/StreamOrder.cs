using System;
using System.Runtime.InteropServices;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>Orders work between streams without stopping the host: an actor records an event on its stream after
    /// its kernels, and an actor on another stream that reads (or will overwrite) its register makes its own stream
    /// wait for that event. On ILGPU's CPU simulator every launch has finished when it returns, so there is nothing
    /// to order; the tests check the same waits there by running streams out of order (<see cref="StreamInterleaving"/>).</summary>
    internal sealed class StreamOrder : IDisposable
    {
        private readonly IntPtr[] _events;
        private readonly bool _cuda;

        private readonly int _actors;

        /// <summary>One event per actor, and one per stream for forking and joining a captured step.</summary>
        public StreamOrder(Accelerator accelerator, int actors, int streams)
        {
            _cuda = accelerator.AcceleratorType == AcceleratorType.Cuda;
            _actors = actors;
            _events = new IntPtr[actors + streams];
            if (!_cuda) return;
            for (int a = 0; a < _events.Length; a++) Check(Driver.cuEventCreate(out _events[a], Driver.DisableTiming), "cuEventCreate");
        }

        /// <summary>Makes every other stream start after the work enqueued so far on the first (during a capture,
        /// this brings them into it).</summary>
        public void Fork(AcceleratorStream[] streams)
        {
            if (!_cuda) return;
            Check(Driver.cuEventRecord(_events[_actors], Handle(streams[0])), "cuEventRecord");
            for (int s = 1; s < streams.Length; s++) Check(Driver.cuStreamWaitEvent(Handle(streams[s]), _events[_actors], 0), "cuStreamWaitEvent");
        }

        /// <summary>Makes the first stream wait for everything enqueued on the others.</summary>
        public void Join(AcceleratorStream[] streams)
        {
            if (!_cuda) return;
            for (int s = 1; s < streams.Length; s++)
            {
                Check(Driver.cuEventRecord(_events[_actors + s], Handle(streams[s])), "cuEventRecord");
                Check(Driver.cuStreamWaitEvent(Handle(streams[0]), _events[_actors + s], 0), "cuStreamWaitEvent");
            }
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
