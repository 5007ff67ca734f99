using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OneFlow.Dsl.Runtime.Actors;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Actors
{
    /// <summary>The engine's contract on synthetic actor graphs: data-driven order, slots, back-pressure.</summary>
    public class ActorEngineTests
    {
        /// <summary>Records, per actor, how far ahead of its consumer it ran.</summary>
        private sealed class Pipeline : IActorBody
        {
            public int Produced, Consumed, MaxAhead;
            public readonly List<long> ConsumerPieces = new List<long>();

            public bool Act(int actor, long piece)
            {
                if (actor == 0)
                {
                    int ahead = Interlocked.Increment(ref Produced) - Volatile.Read(ref Consumed);
                    InterlockedMax(ref MaxAhead, ahead);
                }
                else
                {
                    Thread.Sleep(2); // a slow consumer: the producer must wait for slots
                    ConsumerPieces.Add(piece);
                    Interlocked.Increment(ref Consumed);
                }
                return true;
            }

            private static void InterlockedMax(ref int target, int value)
            {
                int current;
                while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
            }
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void Producer_never_runs_more_pieces_ahead_than_its_register_has_slots(int slots)
        {
            var body = new Pipeline();
            var actors = new[] { new EngineActor(0, 0, new int[0], 0), new EngineActor(1, 1, new[] { 0 }, -1) };
            using (var engine = new ActorEngine(2, actors, new[] { new EngineRegister(0, slots, 0) }, body))
                engine.Run(20);
            Assert.Equal(20, body.Consumed);
            Assert.Equal(slots, body.MaxAhead);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i).ToList(), body.ConsumerPieces);
        }

        /// <summary>A diamond across three devices with an actor that completes later on another thread.</summary>
        private sealed class Diamond : IActorBody
        {
            public ActorEngine? Engine;
            public readonly int[] Runs = new int[4];
            public long Order;
            public readonly long[] Finished = new long[4];

            public bool Act(int actor, long piece)
            {
                Runs[actor]++;
                Finished[actor] = Interlocked.Increment(ref Order);
                if (actor != 1) return true;
                ThreadPool.QueueUserWorkItem(_ => Engine!.Complete(1));
                return false;
            }
        }

        [Fact]
        public void Diamond_runs_each_actor_once_per_piece_after_its_inputs()
        {
            var body = new Diamond();
            var actors = new[]
            {
                new EngineActor(0, 0, new int[0], 0),
                new EngineActor(1, 1, new[] { 0 }, 1),
                new EngineActor(2, 2, new[] { 0 }, 2),
                new EngineActor(3, 0, new[] { 1, 2, 1 }, -1),
            };
            var registers = new[] { new EngineRegister(0, 1, 0), new EngineRegister(1, 1, 1), new EngineRegister(2, 1, 2) };
            using var engine = new ActorEngine(3, actors, registers, body);
            body.Engine = engine;
            for (int i = 0; i < 5; i++) engine.Run(1);
            Assert.Equal(new[] { 5, 5, 5, 5 }, body.Runs);
        }

        private sealed class Failing : IActorBody
        {
            public bool Act(int actor, long piece) => throw new System.InvalidOperationException("kernel failed");
        }

        [Fact]
        public void A_failing_actor_fails_Run_instead_of_hanging()
        {
            using var engine = new ActorEngine(1, new[] { new EngineActor(0, 0, new int[0], -1) }, new EngineRegister[0], new Failing());
            var e = Assert.Throws<System.InvalidOperationException>(() => engine.Run(1));
            Assert.Contains("kernel failed", e.Message);
        }

        /// <summary>Records when each (actor, piece) started and ended on one global clock; some actors end later, on
        /// another thread, as collectives do.</summary>
        private sealed class Recorder : IActorBody
        {
            private long _clock;
            private readonly long[,] _start, _end;
            private readonly bool[] _async;
            public ActorEngine? Engine;

            public Recorder(int actors, int pieces, bool[] async)
            {
                _start = new long[actors, pieces];
                _end = new long[actors, pieces];
                _async = async;
            }

            public long Start(int actor, long piece) => _start[actor, piece];
            public long End(int actor, long piece) => _end[actor, piece];

            public bool Act(int actor, long piece)
            {
                _start[actor, piece] = Interlocked.Increment(ref _clock);
                Thread.SpinWait(50 * (int)((actor * 7 + piece * 13) % 5));
                if (!_async[actor])
                {
                    _end[actor, piece] = Interlocked.Increment(ref _clock);
                    return true;
                }
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    _end[actor, piece] = Interlocked.Increment(ref _clock);
                    Engine!.Complete(actor);
                }, null);
                return false;
            }
        }

        /// <summary>The memory plan lets registers share bytes on the promise that an actor writes a slot only after
        /// every consumer of the piece it held has finished, and reads an input only after its producer finished it.
        /// Random graphs over four devices, with one to three slots and actors that finish on other threads, hold the
        /// engine to that promise in every order it actually took.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        public void Every_act_reads_finished_inputs_and_overwrites_only_slots_their_consumers_are_done_with(int seed)
        {
            var random = new System.Random(seed);
            const int count = 24, devices = 4, pieces = 12;
            var actors = new List<EngineActor>();
            var registers = new List<EngineRegister>();
            for (int a = 0; a < count; a++)
            {
                var inputs = Enumerable.Range(0, a).Where(_ => random.Next(4) == 0).Take(3).ToArray();
                actors.Add(new EngineActor(a, random.Next(devices), inputs, a));
                registers.Add(new EngineRegister(a, 1 + random.Next(3), a));
            }
            var async = Enumerable.Range(0, count).Select(_ => random.Next(4) == 0).ToArray();
            var body = new Recorder(count, pieces, async);
            using (var engine = new ActorEngine(devices, actors, registers, body))
            {
                body.Engine = engine;
                engine.Run(5);
                engine.Run(pieces - 5);
            }
            foreach (var a in actors)
                for (int piece = 0; piece < pieces; piece++)
                {
                    foreach (int producer in a.Inputs)
                        Assert.True(body.Start(a.Id, piece) > body.End(producer, piece), $"actor {a.Id} read piece {piece} of {producer} before it was written");
                    int reused = piece - registers[a.Output].Slots;
                    if (reused < 0) continue;
                    foreach (var consumer in actors.Where(c => c.Inputs.Contains(a.Output)))
                        Assert.True(body.Start(a.Id, piece) > body.End(consumer.Id, reused), $"actor {a.Id} overwrote the slot of piece {reused} before {consumer.Id} finished it");
                }
        }
    }
}
