using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime.Actors;
using OneFlow.Dsl.Runtime.Boxing;
using OneFlow.Dsl.Runtime.Kernels;
using OneFlow.Dsl.Runtime.Tracing;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>A plan made runnable on CPU devices: one arena per device, one actor per physical op running its op's
    /// kernel (<see cref="CpuKernels"/>), the boxing ops as in-process collectives. Feed the inputs, run a step, read
    /// the output. Given a transport, it runs one process's share of a plan spread over several: only this
    /// process's devices get arenas and actors, and the boxing ops whose devices span processes go to
    /// <see cref="ProcessCommunication"/>.</summary>
    public sealed unsafe class PlanSession : IPlanSession, IActorBody
    {
        public Plan Plan { get; }
        public OptimizerSettings Optimizer { get; } = new OptimizerSettings();

        public float LearningRate
        {
            get => Optimizer.LearningRate;
            set => Optimizer.LearningRate = value;
        }

        /// <summary>Per actor, whether it is a view the memory plan made free (see <see cref="Plan.IsView"/>).</summary>
        private readonly bool[] _views;
        private readonly DeviceArena[] _arenas;

        /// <summary>The bytes of each device's arena as allocated (0 for devices of other processes).</summary>
        internal System.Collections.Generic.IReadOnlyList<long> ArenaBytes => System.Array.ConvertAll(_arenas, a => a.Bytes);
        private readonly ActorEngine _engine;
        private readonly PlanLayout _layout;
        private readonly Feeds _feeds;
        private readonly IRankTransport? _transport;
        private readonly ProcessCommunication? _processes;
        /// <summary>Plan actor ids of the engine's actors (this process's), and the engine id of each plan actor (−1 elsewhere).</summary>
        private readonly int[] _planActor, _engineActor;
        private readonly int[] _localParticipants;
        /// <summary>Per plan actor, its kernel and what the kernel is handed (null for feeds and boxing).</summary>
        private readonly Action<CpuKernelContext>?[] _kernels;
        private readonly CpuKernelContext?[] _contexts;
        private readonly IntPtr[][] _collectiveSources;
        private readonly int[] _arrived;
        /// <summary>Per device d, at [d * TicksStride], its compute time: written by that device's thread alone, each a
        /// cache line apart from the next device's.</summary>
        private readonly long[] _computeTicks;
        private const int TicksStride = 16;
        private readonly long[] _arrivedAt;
        /// <summary>Per op, whether it works only in a step's last micro-batch (see <see cref="Plan.OncePerStep"/>).</summary>
        private readonly bool[] _oncePerStep;
        private TraceRecorder? _trace;
        private long _runTicks;

        /// <summary>Where the time of every <see cref="Run"/> so far went, in seconds: the runs' wall time, the compute
        /// of this process's busiest device, and the communication with other processes. Communication is hidden
        /// behind compute by (compute + communication − wall) / communication, where positive.</summary>
        public (double Wall, double Compute, double Communication) Timing
            => (Seconds(_runTicks), Seconds(_computeTicks.Max()), Seconds(_processes?.Ticks ?? 0));

        private static double Seconds(long ticks) => (double)ticks / System.Diagnostics.Stopwatch.Frequency;

        public PlanSession(Plan plan, IRankTransport? transport = null)
        {
            Plan = plan;
            _transport = transport;
            if (transport == null && plan.DeviceMap.Ranks > 1)
                throw new ArgumentException($"The plan spreads its devices over {plan.DeviceMap.Ranks} processes; open it with a transport to them (OneFlow.Dsl.Mpi), or plan it for one process.");
            if (transport != null && transport.Size != plan.DeviceMap.Ranks)
                throw new ArgumentException($"The plan spreads its devices over {plan.DeviceMap.Ranks} process{(plan.DeviceMap.Ranks == 1 ? "" : "es")}, but {transport.Size} were started; plan for the world size (placement \"{transport.Size}/...\").");
            _layout = new PlanLayout(plan);
            _kernels = plan.Actors.Select(a => plan.Ops[a.Op].RunsAsKernel && !plan.IsView(a) ? CpuKernels.For(plan.Ops[a.Op].Kind) : null).ToArray();
            _views = plan.Actors.Select(plan.IsView).ToArray();
            int threads = Math.Max(1, Environment.ProcessorCount / plan.Devices);
            // Made device by device: contexts are written at every act, and neighbours in memory on other devices'
            // threads would make each write evict a line another device is using.
            var geometries = _layout.Geometries();
            _contexts = new CpuKernelContext?[geometries.Length];
            foreach (var a in plan.Actors.OrderBy(a => a.Device))
                if (geometries[a.Id] is { } g) _contexts[a.Id] = new CpuKernelContext(g) { Optimizer = Optimizer, Threads = threads };
            _arenas = plan.ArenaBytes.Select((b, d) => new DeviceArena(IsLocal(d) ? b : 0)).ToArray();
            _feeds = new Feeds(_layout);
            _computeTicks = new long[plan.Devices * TicksStride];
            _arrivedAt = new long[plan.Actors.Count];
            _oncePerStep = plan.OncePerStep();
            _collectiveSources = plan.Ops.Select(o => new IntPtr[o.Source.Count]).ToArray();
            _arrived = new int[plan.Ops.Count];
            _localParticipants = plan.Ops.Select(o => plan.ActorsOf(o.Id).Count(a => IsLocal(a.Device))).ToArray();
            (_engine, _planActor, _engineActor) = _layout.Engine(IsLocal, this);
            if (transport != null)
                _processes = new ProcessCommunication(_layout, transport, _localParticipants, (r, piece) => (IntPtr)Pointer(r, piece), Idle, Communicated, _engine.Fail);
        }

        private bool IsLocal(int device) => _transport == null || Plan.DeviceMap.RankOf(device) == _transport.Rank;

        /// <summary>Sets the host array an input op reads in the next <see cref="Run"/>: float[] or, for labels, int[].</summary>
        public void Feed(int tensor, Array data) => _feeds.Set(tensor, data);

        /// <summary>Runs one step (its micro-batches) or one inference through every actor and waits for it.</summary>
        public void Run()
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            _engine.Run(Plan.MicroBatches);
            _runTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            _feeds.Clear();
        }

        /// <summary>Writes a whole logical tensor (a weight) into every device's part of it.</summary>
        public void Write(int tensor, ReadOnlySpan<float> logical)
        {
            var transfer = _layout.FromHost(tensor);
            var at = Plan.Tensors[tensor].Placement;
            fixed (float* src = logical)
            {
                var sources = new[] { (IntPtr)src };
                for (int i = 0; i < at.Count; i++)
                    if (IsLocal(Part(tensor, i).Device)) transfer.Apply(i, sources, Pointer(Part(tensor, i), 0));
            }
        }

        /// <summary>Reads a whole logical tensor: split parts are joined, partial sums added, replicas read once.</summary>
        public void Read(int tensor, Span<float> logical)
        {
            var transfer = _layout.ToHost(tensor);
            var sources = new IntPtr[Plan.Tensors[tensor].Placement.Count];
            var received = new List<IntPtr>();
            try
            {
                _processes?.Gather(tensor, sources, received);
                for (int i = 0; i < sources.Length; i++)
                    if (IsLocal(Part(tensor, i).Device)) sources[i] = (IntPtr)Pointer(Part(tensor, i), 0);
                fixed (float* dst = logical) transfer.Apply(0, sources, dst);
            }
            finally
            {
                foreach (var p in received) NativeMemory.Free((void*)p);
            }
        }

        /// <summary>The scalar output (the loss), its partial sums added; allocation-free.</summary>
        public float ReadScalar(int tensor)
        {
            if (tensor != Plan.Output) throw new ArgumentException("ReadScalar reads the plan's output; use Read for other tensors.");
            float sum = 0;
            foreach (var part in _layout.ScalarParts) if (IsLocal(part.Device)) sum += *Pointer(part, 0);
            return _processes == null ? sum : _processes.Sum(sum);
        }

        private Register Part(int tensor, int index) => _layout.Part(tensor, index);

        private float* Pointer(Register r, long piece)
            => (float*)(_arenas[r.Device].Base + r.Offset + (piece % r.Slots) * r.SlotBytes);

        bool IActorBody.Act(int engineId, long piece)
        {
            var actor = Plan.Actors[_planActor[engineId]];
            var op = Plan.Ops[actor.Op];
            if (Idle(op, piece) || _views[actor.Id]) return true;
            long start = TraceRecorder.Now;
            if (_kernels[actor.Id] is { } kernel)
            {
                kernel(Bind(actor, piece));
                long end = TraceRecorder.Now;
                _computeTicks[actor.Device * TicksStride] += end - start;
                _trace?.Add(actor.Id, actor.Device, TraceKind.Compute, start, end);
                return true;
            }
            if (op.IsRendezvous)
            {
                _arrivedAt[actor.Id] = start;
                return Arrive(op, actor, piece);
            }
            bool feed = op.Kind == Planner.Ops.OpKind.Input;
            if (feed) _feeds.CopyPart(op, actor, piece, Output(actor, piece));
            else
            {
                var own = _collectiveSources[op.Id];
                own[_layout.ReadsAt[actor.Id]] = (IntPtr)Input(actor, 0, piece);
                _layout.Transfers[op.Id]!.Apply(_layout.WritesAt[actor.Id], own, Output(actor, piece));
            }
            _trace?.Add(actor.Id, actor.Device, feed ? TraceKind.Feed : TraceKind.Boxing, start, TraceRecorder.Now);
            return true;
        }

        /// <summary>Points the actor's kernel context at this piece's slots.</summary>
        private CpuKernelContext Bind(Actor actor, long piece)
        {
            var context = _contexts[actor.Id]!;
            for (int i = 0; i < actor.Inputs.Length; i++) context.SetInput(i, Input(actor, i, piece));
            if (actor.Output >= 0) context.SetOutput(Output(actor, piece));
            if (actor.Workspace >= 0) context.SetWorkspace(Pointer(Plan.Registers[actor.Workspace], 0));
            context.Piece = piece;
            return context;
        }

        /// <summary>Starts recording what every thread does (its acts, and its spins while it waits for work), for
        /// <see cref="WriteTrace"/>; at most <paramref name="capacity"/> events are kept.</summary>
        public void StartTrace(int capacity = 1 << 20) => _trace = _engine.Trace = new TraceRecorder(capacity);

        /// <summary>Writes what was recorded since <see cref="StartTrace"/> as Chrome trace-event JSON (chrome://tracing,
        /// Perfetto): a row per device thread and one for communication between processes.</summary>
        public void WriteTrace(string path)
        {
            var trace = _trace ?? throw new InvalidOperationException("Call StartTrace before WriteTrace.");
            var names = Enumerable.Range(0, Plan.Devices).Select(d => $"device {d} ({Plan.DeviceMap.DeviceType}:{Plan.DeviceMap.Ids[d]})")
                .Append("communication").ToArray();
            trace.Write(path, Plan, names);
        }

        /// <summary>Per device, the share of the time traced since <see cref="StartTrace"/> it was busy (see
        /// <see cref="TraceRecorder.BusyShares"/>): the measured side of the report's expected bubble.</summary>
        public double[] TracedBusyShares()
            => (_trace ?? throw new InvalidOperationException("Call StartTrace first.")).BusyShares(Plan.Devices);

        /// <summary>A collective's participants waited from their arrival until the data moved.</summary>
        private void Waited(IReadOnlyList<Actor> participants, long end)
        {
            foreach (var p in participants)
                if (_engineActor[p.Id] >= 0) _trace!.Add(p.Id, p.Device, TraceKind.Waiting, _arrivedAt[p.Id], end);
        }

        /// <summary>True for a once-per-step op in a micro-batch that is not the step's last: it does nothing.</summary>
        private bool Idle(PlanOp op, long piece) => _oncePerStep[op.Id] && piece % Plan.MicroBatches != Plan.MicroBatches - 1;

        /// <summary>A collective: each participant leaves its buffers; the last to arrive moves the data for all
        /// of them and completes every participant. Nobody blocks, so no order of arrival can deadlock. In a
        /// transfer between placements, devices only on the source side bring data and receive nothing, devices
        /// only on the destination side the reverse.</summary>
        private bool Arrive(PlanOp op, Actor actor, long piece)
        {
            var sources = _collectiveSources[op.Id];
            if (actor.Inputs.Length > 0) sources[_layout.ReadsAt[actor.Id]] = (IntPtr)Input(actor, 0, piece);
            var participants = Plan.ActorsOf(op.Id);
            if (Interlocked.Increment(ref _arrived[op.Id]) < _localParticipants[op.Id]) return false;
            _arrived[op.Id] = 0;
            if (_processes != null && _processes.Spans(op)) { _processes.Arrived(op); return false; }
            long start = TraceRecorder.Now;
            // Indexed loops: a foreach over the list interface would allocate an enumerator per collective.
            for (int i = 0; i < participants.Count; i++)
                if (participants[i].Output >= 0) _layout.Transfers[op.Id]!.Apply(_layout.WritesAt[participants[i].Id], sources, Output(participants[i], piece));
            if (_trace != null)
            {
                long end = TraceRecorder.Now;
                _trace.Add(actor.Id, actor.Device, TraceKind.Boxing, start, end);
                Waited(participants, end);
            }
            for (int i = 0; i < participants.Count; i++) _engine.Complete(_engineActor[participants[i].Id]);
            return false;
        }

        /// <summary>The communication thread moved <paramref name="op"/>'s data between processes: its local actors are done.</summary>
        private void Communicated(PlanOp op, long start, long end)
        {
            var participants = Plan.ActorsOf(op.Id);
            if (_trace != null)
            {
                var first = participants.First(p => _engineActor[p.Id] >= 0);
                _trace.Add(first.Id, Plan.Devices, TraceKind.Communication, start, end);
                Waited(participants, end);
            }
            for (int i = 0; i < participants.Count; i++)
                if (_engineActor[participants[i].Id] >= 0) _engine.Complete(_engineActor[participants[i].Id]);
        }

        private float* Input(Actor a, int index, long piece) => Pointer(Plan.Registers[a.Inputs[index]], piece);
        private float* Output(Actor a, long piece) => Pointer(Plan.Registers[a.Output], piece);

        public void Dispose()
        {
            _processes?.Dispose();
            _engine.Dispose();
            foreach (var arena in _arenas) arena.Dispose();
        }
    }
}
