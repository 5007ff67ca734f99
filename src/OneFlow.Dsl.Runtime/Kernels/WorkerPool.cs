using System;
using System.Threading;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>A job the pool runs in parts: part p of n on one thread each.</summary>
    internal interface IPartedJob
    {
        void RunPart(int part, int parts);
    }

    /// <summary>Persistent helper threads for splitting one kernel call across cores without allocating: no
    /// tasks, no closures. One caller at a time; a caller that finds the pool taken (another device thread)
    /// runs alone, which is what it should do when the devices already keep the cores busy.</summary>
    internal static class WorkerPool
    {
        private static readonly int Helpers = Math.Max(0, Environment.ProcessorCount - 1);
        private static readonly SemaphoreSlim[] Start = new SemaphoreSlim[Helpers];
        private static readonly ManualResetEventSlim Finished = new ManualResetEventSlim(false);
        private static IPartedJob? s_job;
        private static int s_parts, s_pending, s_busy, s_generation;

        /// <summary>How long a helper keeps polling for the next job before it sleeps: in a training step kernels
        /// follow each other within microseconds, and waking a sleeping thread costs more than that.</summary>
        private const int SpinIterations = 20_000;

        static WorkerPool()
        {
            for (int i = 0; i < Helpers; i++)
            {
                Start[i] = new SemaphoreSlim(0);
                int part = i + 1;
                new Thread(() => Loop(part)) { IsBackground = true, Name = $"kernel helper {part}" }.Start();
            }
        }

        /// <summary>The most parts a call can be split into.</summary>
        public static int MaxParts => Helpers + 1;

        /// <summary>Runs <paramref name="job"/> in <paramref name="parts"/> parts, part 0 on the caller; false
        /// (and nothing run) when the pool is in use.</summary>
        public static bool TryRun(IPartedJob job, int parts)
        {
            parts = Math.Min(parts, MaxParts);
            if (parts <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
            s_job = job;
            s_parts = parts;
            Finished.Reset();
            Volatile.Write(ref s_pending, parts - 1);
            Interlocked.Increment(ref s_generation);
            for (int i = 0; i < parts - 1; i++) Start[i].Release();
            job.RunPart(0, parts);
            Finished.Wait();
            s_job = null;
            Volatile.Write(ref s_busy, 0);
            return true;
        }

        private static void Loop(int part)
        {
            int seen = 0;
            while (true)
            {
                for (int i = 0; i < SpinIterations && Volatile.Read(ref s_generation) == seen; i++) Thread.SpinWait(8);
                Start[part - 1].Wait();
                seen = Volatile.Read(ref s_generation);
                s_job!.RunPart(part, s_parts);
                if (Interlocked.Decrement(ref s_pending) == 0) Finished.Set();
            }
        }
    }
}
