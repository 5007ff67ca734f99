using System.Threading;

namespace OneFlow.Dsl.Runtime.Actors
{
    /// <summary>A device thread's inbox: a ring of packed messages, grown only if ever full, so that steady-state
    /// messaging allocates nothing.</summary>
    internal sealed class MessageQueue
    {
        private readonly object _lock = new object();
        private long[] _ring;
        private int _head, _count;
        private bool _closed;

        public MessageQueue(int capacity) => _ring = new long[capacity];

        public void Post(long message)
        {
            lock (_lock)
            {
                if (_count == _ring.Length) Grow();
                _ring[(_head + _count) % _ring.Length] = message;
                _count++;
                if (_count == 1) Monitor.Pulse(_lock);
            }
        }

        /// <summary>Waits for a message; false once the queue is closed and empty.</summary>
        public bool Take(out long message)
        {
            lock (_lock)
            {
                while (_count == 0 && !_closed) Monitor.Wait(_lock);
                if (_count == 0) { message = 0; return false; }
                message = _ring[_head];
                _head = (_head + 1) % _ring.Length;
                _count--;
                return true;
            }
        }

        public void Close()
        {
            lock (_lock) { _closed = true; Monitor.PulseAll(_lock); }
        }

        private void Grow()
        {
            var bigger = new long[_ring.Length * 2];
            for (int i = 0; i < _count; i++) bigger[i] = _ring[(_head + i) % _ring.Length];
            _ring = bigger;
            _head = 0;
        }
    }
}
