using System;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Splits a kernel's independent units (channels, rows, elements) into ranges run on the pool's threads.
    /// Made once per kernel context (<see cref="KernelContext.Cached{T}"/>) around a body that reads the act's operands
    /// from the context, so that an act allocates nothing; small work runs on the caller alone.</summary>
    internal sealed class ParallelRanges : IChunkedJob
    {
        /// <summary>Below this many elements of work a helper's wake-up costs more than it saves.</summary>
        private const long ParallelElements = 1 << 15;

        private readonly Action<int, int> _body;
        private int _count;

        public ParallelRanges(Action<int, int> body) => _body = body;

        /// <summary>Runs the body over [0, <paramref name="count"/>) in ranges, <paramref name="elements"/> being the
        /// work of all of them.</summary>
        public void Run(int count, long elements, int threads)
        {
            _count = count;
            int chunks = Math.Min(count, 2 * threads);
            if (elements < ParallelElements || !WorkerPool.TryRun(this, chunks, threads)) _body(0, count);
        }

        /// <summary>An elementwise kernel: <paramref name="body"/>(k, first, count) computes output elements
        /// [first, first + count), in ranges on the pool's threads.</summary>
        public static void Elements(CpuKernelContext k, Action<CpuKernelContext, int, int> body)
        {
            int length = (int)k.OutShape.Elements;
            k.Cached(_ => new ParallelRanges((first, last) => body(k, first, last - first))).Run(length, length, k.Threads);
        }

        public void RunChunk(int chunk, int chunks) => _body((int)((long)_count * chunk / chunks), (int)((long)_count * (chunk + 1) / chunks));
    }
}
