using System;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Splits a kernel's independent units (channels, elements) into ranges run on the pool's threads. One is
    /// kept per kernel context (<see cref="KernelContext.Cached{T}"/>) and handed the act's context and a body that
    /// captures nothing, so that an act allocates nothing; small work runs on the caller alone.</summary>
    internal sealed class ParallelRanges : IChunkedJob
    {
        /// <summary>Below this many elements (half a megabyte of floats) the work is over in a few microseconds, and
        /// handing half of it to a helper costs about as much as it saves (the MLP's 64×512 activations).</summary>
        private const long ParallelElements = 1 << 17;

        private CpuKernelContext _context = null!;
        private Action<CpuKernelContext, int, int> _body = null!;
        private int _count;

        /// <summary><paramref name="body"/>(k, first, last) over [0, <paramref name="count"/>) in ranges,
        /// <paramref name="elements"/> being the work of all of them.</summary>
        public static void Run(CpuKernelContext k, Action<CpuKernelContext, int, int> body, int count, long elements)
        {
            var ranges = k.Cached(static _ => new ParallelRanges());
            ranges._context = k;
            ranges._body = body;
            ranges._count = count;
            if (elements < ParallelElements || !WorkerPool.TryRun(ranges, Math.Min(count, 2 * k.Threads), k.Threads)) body(k, 0, count);
        }

        /// <summary>An elementwise kernel: <paramref name="body"/>(k, first, last) computes output elements [first, last).</summary>
        public static void Elements(CpuKernelContext k, Action<CpuKernelContext, int, int> body) => Run(k, body, (int)k.OutShape.Elements, k.OutShape.Elements);

        public void RunChunk(int chunk, int chunks)
            => _body(_context, (int)((long)_count * chunk / chunks), (int)((long)_count * (chunk + 1) / chunks));
    }
}
