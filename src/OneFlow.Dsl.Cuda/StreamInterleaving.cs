using System;
using System.Collections.Generic;
using System.Linq;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>A test mode of the GPU session on the simulator, which otherwise runs every launch to the end the moment
    /// it is made, under one lock, so that no missing order between streams could ever show. Here each plan device's
    /// stream is a queue of the work its acts enqueue; when the session synchronises, the queues run in a seeded random
    /// order that honours only what a GPU honours: each stream's own order, and the events the session recorded (an
    /// act's end) and made streams wait for. <see cref="Drop"/> leaves one recorded wait out, to show whether the
    /// results depended on it.</summary>
    internal sealed class StreamInterleaving
    {
        /// <summary>Work on one stream: it may start once each waited event has reached its generation, and it records
        /// the given events when done.</summary>
        private sealed record Work(Action Run, (int Event, int Generation)[] Waits, (int Event, int Generation)[] Records);

        private readonly Queue<Work>[] _streams;
        private readonly int[] _recorded, _reached;
        private readonly Random _random;
        private readonly object _lock = new object();

        public StreamInterleaving(int streams, int events, int seed)
        {
            _streams = Enumerable.Range(0, streams).Select(_ => new Queue<Work>()).ToArray();
            _recorded = new int[events];
            _reached = new int[events];
            _random = new Random(seed);
        }

        /// <summary>A wait (the actor that waits, the actor waited for) to leave out.</summary>
        public (int Waiter, int Waited)? Drop { get; set; }

        /// <summary>Every wait enqueued so far, as (waiter, waited): the candidates for <see cref="Drop"/>.</summary>
        public HashSet<(int Waiter, int Waited)> Seen { get; } = new HashSet<(int, int)>();

        /// <summary>Queues <paramref name="run"/> on <paramref name="stream"/> after the last recorded end of each waited
        /// actor (an event never recorded is no wait, as on a GPU); it records the end of each of <paramref name="ends"/>.</summary>
        public void Enqueue(int stream, IEnumerable<(int Waiter, int Waited)> waits, IEnumerable<int> ends, Action run)
        {
            lock (_lock)
            {
                var honoured = new List<(int, int)>();
                foreach (var w in waits)
                {
                    Seen.Add(w);
                    if (!w.Equals(Drop) && _recorded[w.Waited] > 0) honoured.Add((w.Waited, _recorded[w.Waited]));
                }
                var records = ends.Select(e => (e, ++_recorded[e])).ToArray();
                _streams[stream].Enqueue(new Work(run, honoured.ToArray(), records));
            }
        }

        /// <summary>Runs everything queued. The work enqueued first among what is left can always start (what it waits
        /// for was enqueued before it), so this never stalls.</summary>
        public void Drain()
        {
            lock (_lock)
            {
                var ready = new List<Queue<Work>>();
                while (true)
                {
                    ready.Clear();
                    foreach (var q in _streams)
                        if (q.Count > 0 && q.Peek().Waits.All(w => _reached[w.Event] >= w.Generation)) ready.Add(q);
                    if (ready.Count == 0) break;
                    var work = ready[_random.Next(ready.Count)].Dequeue();
                    work.Run();
                    foreach (var (e, generation) in work.Records) _reached[e] = Math.Max(_reached[e], generation);
                }
                if (_streams.Any(q => q.Count > 0)) throw new InvalidOperationException("Streams wait for each other in a cycle.");
            }
        }
    }
}
