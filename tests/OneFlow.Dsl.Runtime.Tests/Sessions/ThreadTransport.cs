using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl.Runtime.Tests.Sessions
{
    /// <summary>Processes simulated by threads of one process: messages are copied through queues, one per
    /// (sender, receiver, tag), in posting order as MPI matches them; the all-reduce adds in rank order.</summary>
    internal sealed class ThreadWorld
    {
        private readonly ConcurrentDictionary<(int, int, int), BlockingCollection<float[]>> _queues = new ConcurrentDictionary<(int, int, int), BlockingCollection<float[]>>();
        private readonly Barrier _barrier;
        private readonly float[][] _contributions;

        public int Size { get; }

        public ThreadWorld(int size)
        {
            Size = size;
            _barrier = new Barrier(size);
            _contributions = new float[size][];
        }

        public IRankTransport Rank(int rank) => new Transport(this, rank);

        private BlockingCollection<float[]> Queue(int from, int to, int tag) => _queues.GetOrAdd((from, to, tag), _ => new BlockingCollection<float[]>());

        private sealed unsafe class Transport : IRankTransport
        {
            private readonly ThreadWorld _world;
            public int Rank { get; }
            public int Size => _world.Size;

            public Transport(ThreadWorld world, int rank) { _world = world; Rank = rank; }

            public void Exchange(IReadOnlyList<RankMessage> sends, IReadOnlyList<RankMessage> receives)
            {
                foreach (var m in sends)
                    _world.Queue(Rank, m.Rank, m.Tag).Add(new ReadOnlySpan<float>((float*)m.Buffer, m.Floats).ToArray());
                foreach (var m in receives)
                {
                    if (!_world.Queue(m.Rank, Rank, m.Tag).TryTake(out var data, TimeSpan.FromSeconds(20)))
                        throw new TimeoutException($"rank {m.Rank} sent nothing to rank {Rank} for 20 s");
                    data.CopyTo(new Span<float>((float*)m.Buffer, m.Floats));
                }
            }

            public void AllreduceSum(ReadOnlySpan<float> input, Span<float> output)
            {
                input.CopyTo(output);
                AllreduceSum(output);
            }

            public void AllreduceSum(Span<float> values)
            {
                _world._contributions[Rank] = values.ToArray();
                _world._barrier.SignalAndWait();
                for (int i = 0; i < values.Length; i++)
                {
                    float sum = 0;
                    for (int r = 0; r < Size; r++) sum += _world._contributions[r][i];
                    values[i] = sum;
                }
                _world._barrier.SignalAndWait();
            }
        }
    }
}
