using System;
using System.Diagnostics;
using System.Threading;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>A job the pool runs as independent chunks, each on whichever thread claims it.</summary>
    internal interface IChunkedJob
    {
        void RunChunk(int chunk, int chunks);
    }

    /// <summary>Persistent helper threads for splitting one kernel call across cores without allocating: no tasks,
    /// no closures. Chunks are claimed dynamically, so a helper the OS has not scheduled yet (the cores are shared
    /// with the device threads) delays the call by at most the chunk it holds; a helper that never wakes in time
    /// leaves all chunks to the caller. One caller at a time: one that finds the pool taken (another device thread)
    /// runs alone, which is right when the devices already keep the cores busy.</summary>
    internal static class WorkerPool
    {
        private static readonly int Helpers = Math.Max(0, Environment.ProcessorCount - 1);
        private static readonly SemaphoreSlim[] Wake = new SemaphoreSlim[Helpers];

        /// <summary>Per helper: 1 while it is (about to be) blocked on its semaphore and needs a release.</summary>
        private static readonly int[] Sleeping = new int[Helpers];

        /// <summary>How long a helper keeps polling for the next job before it sleeps: in a training step kernels
        /// follow each other within microseconds, and waking a sleeping thread costs tens of them.</summary>
        private static readonly long SpinTicks = Stopwatch.Frequency / 2000;

        /// <summary>Generation (high 32 bits), chunk count (next 16) and next unclaimed chunk (low 16), in one word so
        /// that a claim is one compare-exchange that also proves the claimer saw the current job.</summary>
        private static long s_state;

        private static IChunkedJob? s_job;
        private static int s_busy, s_done, s_helpers, s_generation;

        static WorkerPool()
        {
            for (int i = 0; i < Helpers; i++)
            {
                Wake[i] = new SemaphoreSlim(0);
                int index = i;
                new Thread(() => Loop(index)) { IsBackground = true, Name = $"kernel helper {index + 1}" }.Start();
            }
        }

        /// <summary>Runs chunks 0..<paramref name="chunks"/> of <paramref name="job"/> on the caller and up to
        /// <paramref name="threads"/> − 1 helpers, returning when all are done; false (and nothing run) when the
        /// pool is in use or there is nothing to share.</summary>
        public static bool TryRun(IChunkedJob job, int chunks, int threads)
        {
            int helpers = Math.Min(threads - 1, Helpers);
            if (helpers <= 0 || chunks < 2 || chunks > 0xFFFF) return false;
            if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
            s_job = job;
            s_helpers = helpers;
            s_done = 0;
            int generation = ++s_generation;
            Interlocked.Exchange(ref s_state, ((long)generation << 32) | ((long)chunks << 16));
            for (int i = 0; i < helpers; i++)
                if (Interlocked.CompareExchange(ref Sleeping[i], 0, 1) == 1) Wake[i].Release();
            Work(generation);
            // What is left is chunks other threads hold; yielding lets a descheduled holder finish on this core.
            var wait = new SpinWait();
            while (Volatile.Read(ref s_done) < chunks) wait.SpinOnce(sleep1Threshold: -1);
            s_job = null;
            Volatile.Write(ref s_busy, 0);
            return true;
        }

        private static void Work(int generation)
        {
            while (TryClaim(generation, out int chunk, out int chunks))
            {
                s_job!.RunChunk(chunk, chunks);
                Interlocked.Increment(ref s_done);
            }
        }

        /// <summary>A claim succeeds only within <paramref name="generation"/>, and its job cannot finish (nor the
        /// pool's fields change) before the claimed chunk is counted done, so the claimer may then read them.</summary>
        private static bool TryClaim(int generation, out int chunk, out int chunks)
        {
            while (true)
            {
                long state = Volatile.Read(ref s_state);
                chunk = (int)(state & 0xFFFF);
                chunks = (int)((state >> 16) & 0xFFFF);
                if ((int)(state >> 32) != generation || chunk >= chunks) return false;
                if (Interlocked.CompareExchange(ref s_state, state + 1, state) == state) return true;
            }
        }

        private static int Generation() => (int)(Volatile.Read(ref s_state) >> 32);

        private static void Loop(int index)
        {
            int seen = 0;
            bool worked = false;
            while (true)
            {
                seen = AwaitGeneration(index, seen, spin: worked);
                worked = index < Volatile.Read(ref s_helpers);
                if (worked) Work(seen);
            }
        }

        /// <summary>Polls for a generation after <paramref name="seen"/> for a while (only if this helper took part
        /// in the last job: the others would poll forever for jobs too small to need them), then sleeps.</summary>
        private static int AwaitGeneration(int index, int seen, bool spin)
        {
            if (spin)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                do
                {
                    int generation = Generation();
                    if (generation != seen) return generation;
                    Thread.SpinWait(16);
                } while (Stopwatch.GetTimestamp() < until);
            }
            // Announce the sleep before the last look, so that a caller publishing meanwhile either is seen here
            // or sees the flag and releases the semaphore.
            Interlocked.Exchange(ref Sleeping[index], 1);
            int last = Generation();
            if (last != seen && Interlocked.CompareExchange(ref Sleeping[index], 0, 1) == 1) return last;
            Wake[index].Wait();
            return Generation();
        }
    }
}
