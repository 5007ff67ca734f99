using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using OneFlow.Dsl.Runtime.Tracing;

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
    /// device and credit-based flow control. An actor acts on its next piece when every input register holds that
    /// piece and its output register has a free slot, that is, when every consumer is done with the piece that slot
    /// held. With one slot a producer waits for its consumers (back-pressure); with more it runs ahead by that many.
    /// <para>The plan is static, so nothing is sent: each actor counts the pieces it has finished, and readiness is
    /// read off its producers' and consumers' counts. Each device thread sweeps its actors in an order fixed at build
    /// time (topological, so one sweep carries a piece through the device and a same-device consumer is, in effect,
    /// called right after its producer); only a finish that matters to another device wakes that device, once per
    /// act. A device that sweeps without acting spins briefly, then sleeps. The thread that calls <see cref="Run"/>
    /// is the first device's thread for the run.</para></summary>
    internal sealed class ActorEngine : IDisposable
    {
        private const int Idle = 0, Acting = 1, Completed = 2;

        /// <summary>How long a device thread spins for work before it sleeps: 200 µs. Waking a sleeping thread costs tens
        /// of microseconds on these machines, more than most waits between acts; the spin yields the core to any
        /// other runnable thread, so devices sharing cores still take turns.</summary>
        private static readonly long SpinTicks = Stopwatch.Frequency / 5_000;

        private readonly EngineActor[] _actors;
        private readonly IActorBody _body;
        private readonly int[][] _order;
        private readonly int[][] _producers, _consumers;
        private readonly int[] _slots;
        private readonly int[][] _devicesToWake;
        private readonly Signal[] _signals;
        private readonly Thread[] _threads;

        // _done[_at[a]]: pieces actor a has finished, and _state[_at[a]] whether it is acting, both written only by
        // its device's thread (and _state by a completing one). Each device's entries are contiguous and a cache line
        // apart from the next device's, as is each device's _left[d * Line], so a device's writes never evict the
        // lines other devices read.
        private const int Line = 16;
        private readonly long[] _done;
        private readonly int[] _at;
        private readonly int[] _state;
        private readonly long[] _left;

        private readonly int _lead;
        private long _target;
        private int _devicesLeft;
        private Exception? _failure;

        /// <summary>Where the device threads' spins are recorded, when set.</summary>
        internal TraceRecorder? Trace { get; set; }

        public ActorEngine(int devices, IReadOnlyList<EngineActor> actors, IReadOnlyList<EngineRegister> registers, IActorBody body)
        {
            _actors = actors.ToArray();
            _body = body;
            _producers = _actors.Select(a => a.Inputs.Select(r => registers[r].Producer).Distinct().ToArray()).ToArray();
            if (_producers.SelectMany(p => p).Any(p => p < 0))
                throw new ArgumentException("Every input register of an engine actor needs a producer among the engine's actors.");
            _consumers = _actors.Select(a => _actors.Where(c => a.Output >= 0 && c.Inputs.Contains(a.Output)).Select(c => c.Id).ToArray()).ToArray();
            _slots = _actors.Select(a => a.Output >= 0 ? registers[a.Output].Slots : 1).ToArray();
            _devicesToWake = _actors.Select(a => _producers[a.Id].Concat(_consumers[a.Id]).Select(o => _actors[o].Device)
                .Where(d => d != a.Device).Distinct().ToArray()).ToArray();
            _order = DeviceOrders(devices);
            (_at, _done) = Counters(devices);
            _state = new int[_done.Length];
            _left = new long[(devices + 1) * Line];
            _signals = Enumerable.Range(0, devices).Select(_ => new Signal()).ToArray();
            _lead = Array.FindIndex(_order, o => o.Length > 0);
            _threads = Enumerable.Range(0, devices).Where(d => d != _lead && _order[d].Length > 0)
                .Select(d => new Thread(() => Loop(d)) { IsBackground = true, Name = $"device {d}" }).ToArray();
            foreach (var t in _threads) t.Start();
        }

        /// <summary>Runs <paramref name="pieces"/> more pieces through the graph and waits for all of them.</summary>
        public void Run(int pieces)
        {
            if (_failure != null) throw new InvalidOperationException("The engine failed earlier and cannot run.", _failure);
            if (_actors.Length == 0) return;
            int busy = 0;
            for (int d = 0; d < _order.Length; d++)
            {
                _left[d * Line] = (long)pieces * _order[d].Length;
                if (_order[d].Length > 0) busy++;
            }
            Volatile.Write(ref _devicesLeft, busy);
            Volatile.Write(ref _target, _target + pieces);
            for (int d = 0; d < _signals.Length; d++) if (d != _lead) _signals[d].Wake();
            Lead();
            if (_failure != null) throw new InvalidOperationException("An actor failed: " + _failure.Message, _failure);
        }

        /// <summary>Stops the run in progress with <paramref name="error"/> (work done off the device threads, such as
        /// communication with other processes, failed); callable from any thread.</summary>
        public void Fail(Exception error)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
            if (_lead >= 0) _signals[_lead].Wake();
        }

        /// <summary>Finishes an actor whose <see cref="IActorBody.Act"/> returned false; callable from any thread.</summary>
        public void Complete(int actor)
        {
            Volatile.Write(ref _state[_at[actor]], Completed);
            _signals[_actors[actor].Device].Wake();
        }

        /// <summary>The caller of <see cref="Run"/> acts as the first device's thread until the run is over: one
        /// thread fewer to wake, and on one device none at all.</summary>
        private void Lead()
        {
            var signal = _signals[_lead];
            while (true)
            {
                long seen = signal.Epoch;
                bool acted = Sweep(_lead);
                if (Volatile.Read(ref _devicesLeft) == 0 || Volatile.Read(ref _failure) != null) return;
                if (!acted) Rest(_lead, signal, seen);
            }
        }

        // Entered once and never left: without this it would run unoptimised code until on-stack replacement.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop(int device)
        {
            var signal = _signals[device];
            while (!signal.Closed)
            {
                long seen = signal.Epoch;
                if (!Sweep(device)) Rest(device, signal, seen);
            }
        }

        /// <summary>One pass over the device's actors in its order; true if any acted.</summary>
        private bool Sweep(int device)
        {
            bool acted = false;
            try
            {
                foreach (int actor in _order[device]) acted |= Advance(actor);
            }
            catch (Exception e)
            {
                Fail(e);
            }
            return acted;
        }

        /// <summary>Acts for as many pieces as the actor can now; true if it made any progress.</summary>
        private bool Advance(int actor)
        {
            int state = Volatile.Read(ref _state[_at[actor]]);
            if (state == Acting) return false;
            bool progressed = false;
            if (state == Completed)
            {
                Finish(actor);
                progressed = true;
            }
            while (CanAct(actor))
            {
                progressed = true;
                _state[_at[actor]] = Acting;
                // A collective's last participant to arrive completes everyone, itself included, before it returns.
                if (!_body.Act(actor, _done[_at[actor]]) && Volatile.Read(ref _state[_at[actor]]) != Completed) return true;
                Finish(actor);
            }
            return progressed;
        }

        private bool CanAct(int actor)
        {
            long piece = _done[_at[actor]];
            if (piece >= Volatile.Read(ref _target)) return false;
            foreach (int p in _producers[actor]) if (Volatile.Read(ref _done[_at[p]]) <= piece) return false;
            long freed = piece - _slots[actor];
            foreach (int c in _consumers[actor]) if (Volatile.Read(ref _done[_at[c]]) <= freed) return false;
            return true;
        }

        /// <summary>Counts the piece as done, which hands its input slots back and its output slot on, and wakes the
        /// other devices that wait on this actor either way.</summary>
        private void Finish(int actor)
        {
            int i = _at[actor];
            Volatile.Write(ref _done[i], _done[i] + 1);
            Volatile.Write(ref _state[i], Idle);
            foreach (int d in _devicesToWake[actor]) _signals[d].Wake();
            int device = _actors[actor].Device;
            if (--_left[device * Line] == 0 && Interlocked.Decrement(ref _devicesLeft) == 0) _signals[_lead].Wake();
        }

        private void Rest(int device, Signal signal, long seen)
        {
            long start = TraceRecorder.Now;
            long spun = signal.Wait(seen, SpinTicks);
            if (spun > start) Trace?.Add(-1, device, TraceKind.Spin, start, spun);
        }

        /// <summary>Each device's actors in a topological order of the whole graph that takes an actor as soon as its
        /// producers are placed (depth first, ties by id): a gradient's all-reduce comes right after the gradient, and
        /// the update after it, so communication starts while the rest of the backward pass computes.</summary>
        private int[][] DeviceOrders(int devices)
        {
            var waiting = _producers.Select(p => p.Length).ToArray();
            var ready = new Stack<int>(_actors.Where(a => waiting[a.Id] == 0).Select(a => a.Id).Reverse());
            var order = new List<int>(_actors.Length);
            while (ready.Count > 0)
            {
                int a = ready.Pop();
                order.Add(a);
                foreach (int c in _consumers[a].Reverse()) if (--waiting[c] == 0) ready.Push(c);
            }
            if (order.Count != _actors.Length) throw new ArgumentException("The actor graph has a cycle: no order can run it.");
            return Enumerable.Range(0, devices).Select(d => order.Where(a => _actors[a].Device == d).ToArray()).ToArray();
        }

        /// <summary>Where each actor's count lives: devices one after another, each padded to a cache line.</summary>
        private (int[] At, long[] Done) Counters(int devices)
        {
            var at = new int[_actors.Length];
            int next = Line;
            for (int d = 0; d < devices; d++)
            {
                foreach (int a in _order[d]) at[a] = next++;
                next += Line;
            }
            return (at, new long[next]);
        }

        public void Dispose()
        {
            foreach (var s in _signals) s.Close();
            foreach (var t in _threads) t.Join();
        }
    }
}
