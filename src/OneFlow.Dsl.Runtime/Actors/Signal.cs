using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace OneFlow.Dsl.Runtime.Actors
{
    /// <summary>Wakes one waiting thread: a device thread that found nothing to do, or the caller waiting for a run to
    /// finish. Whoever may have given the waiter something to do bumps the epoch; the waiter watches the epoch for a
    /// short spin and only then sleeps. A bump costs one atomic increment, and a lock only when the waiter is asleep:
    /// a hand-off between busy threads never enters the kernel.</summary>
    /// <remarks>The waiter reads the epoch in a loop while others bump it, so it is kept 128 bytes (two cache lines,
    /// as adjacent-line prefetch pairs them) away from whatever is allocated around the signal.</remarks>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal sealed class Signal
    {
        [FieldOffset(128)] private long _epoch;
        [FieldOffset(136)] private int _sleeping;
        [FieldOffset(140)] private bool _closed;
        [FieldOffset(0)] private readonly object _gate = new object();

        public long Epoch => Volatile.Read(ref _epoch);

        public bool Closed => Volatile.Read(ref _closed);

        public void Wake()
        {
            Interlocked.Increment(ref _epoch);
            if (Volatile.Read(ref _sleeping) != 0) lock (_gate) Monitor.Pulse(_gate);
        }

        /// <summary>Returns once the epoch has moved past <paramref name="seen"/> or the signal is closed. Spins (then
        /// yields the core to other runnable threads) for up to <paramref name="spinTicks"/> stopwatch ticks before it
        /// sleeps; returns the tick the spin ended.</summary>
        public long Wait(long seen, long spinTicks)
        {
            long start = Stopwatch.GetTimestamp(), now = start;
            var spinner = new SpinWait();
            while (now - start < spinTicks)
            {
                if (Volatile.Read(ref _epoch) != seen || Closed) return now;
                spinner.SpinOnce(sleep1Threshold: -1);
                now = Stopwatch.GetTimestamp();
            }
            lock (_gate)
            {
                Volatile.Write(ref _sleeping, 1);
                // Pairs with the increment in Wake: either the waker sees _sleeping set, or this thread sees the new epoch.
                Interlocked.MemoryBarrier();
                while (Volatile.Read(ref _epoch) == seen && !_closed) Monitor.Wait(_gate);
                Volatile.Write(ref _sleeping, 0);
            }
            return now;
        }

        public void Close()
        {
            lock (_gate)
            {
                _closed = true;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
