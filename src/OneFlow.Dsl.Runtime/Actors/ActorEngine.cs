using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace OneFlow.Dsl.Runtime.Actors
{
    /// <summary>An actor as the engine sees it: which registers it waits for and which one it writes.</summary>
    internal sealed record EngineActor(int Id, int Device, int[] Inputs, int Output);

    /// <summary>A register with <see cref="Slots"/> buffers; <see cref="Producer"/> is the actor writing it.</summary>
    internal sealed record EngineRegister(int Id, int Slots, int Producer);

    /// <summary>What an actor does when it acts. Returning false means the work finishes later, on another
    /// thread (a collective waiting for its peers), which then calls <see cref="ActorEngine.Complete"/>.</summary>
    internal interface IActorBody
    {
        bool Act(int actor, long piece);
    }

    /// <summary>Streams pieces through an actor graph with no central scheduler, as OneFlow does: one thread per
    /// device, messages that carry register ids (never data), and credit-based flow control. An actor acts when
    /// every input register has a ready slot and its output register has a free one; a consumer hands a slot back
    /// when done. With one slot per register a producer waits for its consumers (back-pressure); with more it
    /// runs ahead by that many pieces.</summary>
    internal sealed class ActorEngine : IDisposable
    {
        private const long Ready = 0, Ack = 1, Done = 2, Kick = 3;

        private readonly EngineActor[] _actors;
        private readonly EngineRegister[] _registers;
        private readonly IActorBody _body;
        private readonly MessageQueue[] _queues;
        private readonly Thread[] _threads;
        private readonly int[][] _consumers;

        // State of each actor, touched only by its device's thread.
        private readonly int[][] _ready;
        private readonly int[] _freeSlots;
        private readonly int[][] _pendingAcks;
        private readonly long[] _piece;
        private readonly bool[] _busy;

        private long _target;
        private long _remaining;
        private readonly ManualResetEventSlim _finished = new ManualResetEventSlim(false);
        private Exception? _failure;

        public ActorEngine(int devices, IReadOnlyList<EngineActor> actors, IReadOnlyList<EngineRegister> registers, IActorBody body)
        {
            _actors = actors.ToArray();
            _registers = registers.ToArray();
            _body = body;
            _consumers = _registers.Select(r => _actors.Where(a => a.Inputs.Contains(r.Id)).Select(a => a.Id).ToArray()).ToArray();
            _ready = _actors.Select(a => new int[a.Inputs.Length]).ToArray();
            _freeSlots = _actors.Select(a => a.Output >= 0 ? _registers[a.Output].Slots : 0).ToArray();
            _pendingAcks = _actors.Select(a => new int[a.Output >= 0 ? _registers[a.Output].Slots : 0]).ToArray();
            _piece = new long[_actors.Length];
            _busy = new bool[_actors.Length];

            int edges = _consumers.Sum(c => c.Length) + _actors.Length;
            int slots = _registers.Length == 0 ? 1 : _registers.Max(r => r.Slots);
            _queues = Enumerable.Range(0, devices).Select(_ => new MessageQueue(4 * edges * slots + 64)).ToArray();
            _threads = Enumerable.Range(0, devices).Select(d => new Thread(() => Loop(d)) { IsBackground = true, Name = $"device {d}" }).ToArray();
            foreach (var t in _threads) t.Start();
        }

        /// <summary>Runs <paramref name="pieces"/> more pieces through the graph and waits for all of them.</summary>
        public void Run(int pieces)
        {
            if (_failure != null) throw new InvalidOperationException("The engine failed earlier and cannot run.", _failure);
            _finished.Reset();
            _target += pieces;
            Volatile.Write(ref _remaining, (long)pieces * _actors.Length);
            if (_actors.Length == 0) return;
            foreach (var a in _actors) _queues[a.Device].Post(Pack(Kick, a.Id, 0));
            _finished.Wait();
            if (_failure != null) throw new InvalidOperationException("An actor failed: " + _failure.Message, _failure);
        }

        /// <summary>Stops the run in progress with <paramref name="error"/> (work done off the device threads, such as
        /// communication with other processes, failed); callable from any thread.</summary>
        public void Fail(Exception error)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
            _finished.Set();
        }

        /// <summary>Finishes an actor whose <see cref="IActorBody.Act"/> returned false; callable from any thread.</summary>
        public void Complete(int actor) => _queues[_actors[actor].Device].Post(Pack(Done, actor, 0));

        private void Loop(int device)
        {
            var queue = _queues[device];
            while (queue.Take(out long message))
            {
                int kind = (int)(message >> 60), actor = (int)((message >> 30) & 0x3FFFFFFF), register = (int)(message & 0x3FFFFFFF);
                try
                {
                    Handle(kind, actor, register);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                    _finished.Set();
                }
            }
        }

        private void Handle(int kind, int actor, int register)
        {
            switch (kind)
            {
                case (int)Ready:
                    var inputs = _actors[actor].Inputs;
                    for (int i = 0; i < inputs.Length; i++) if (inputs[i] == register) _ready[actor][i]++;
                    break;
                case (int)Ack:
                    int slot = register;
                    if (--_pendingAcks[actor][slot] == 0) _freeSlots[actor]++;
                    break;
                case (int)Done:
                    Finish(actor);
                    break;
            }
            TryAct(actor);
        }

        private void TryAct(int actor)
        {
            while (CanAct(actor))
            {
                _busy[actor] = true;
                if (!_body.Act(actor, _piece[actor])) return;
                Finish(actor);
            }
        }

        private bool CanAct(int actor)
        {
            if (_busy[actor] || _piece[actor] >= _target) return false;
            var a = _actors[actor];
            if (a.Output >= 0 && _freeSlots[actor] == 0) return false;
            foreach (int r in _ready[actor]) if (r == 0) return false;
            return true;
        }

        /// <summary>Hands the input slots back to their producers and announces the output slot to its consumers.</summary>
        private void Finish(int actor)
        {
            var a = _actors[actor];
            long piece = _piece[actor];
            for (int i = 0; i < a.Inputs.Length; i++)
            {
                if (IndexOf(a.Inputs, a.Inputs[i]) != i) continue;
                var reg = _registers[a.Inputs[i]];
                for (int j = i; j < a.Inputs.Length; j++) if (a.Inputs[j] == reg.Id) _ready[actor][j]--;
                Post(reg.Producer, Pack(Ack, reg.Producer, (int)(piece % reg.Slots)));
            }
            if (a.Output >= 0)
            {
                var consumers = _consumers[a.Output];
                int slot = (int)(piece % _registers[a.Output].Slots);
                _freeSlots[actor]--;
                _pendingAcks[actor][slot] = consumers.Length;
                if (consumers.Length == 0) _freeSlots[actor]++;
                foreach (int c in consumers) Post(c, Pack(Ready, c, a.Output));
            }
            _piece[actor] = piece + 1;
            _busy[actor] = false;
            if (Interlocked.Decrement(ref _remaining) == 0) _finished.Set();
        }

        private void Post(int actor, long message) => _queues[_actors[actor].Device].Post(message);

        private static int IndexOf(int[] items, int value) => Array.IndexOf(items, value);

        private static long Pack(long kind, int actor, int register) => (kind << 60) | ((long)actor << 30) | (uint)register;

        public void Dispose()
        {
            foreach (var q in _queues) q.Close();
            foreach (var t in _threads) t.Join();
            _finished.Dispose();
        }
    }
}
