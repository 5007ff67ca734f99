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
    }
}
