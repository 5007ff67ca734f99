using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Threading;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Passes;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime.Actors;
using OneFlow.Dsl.Runtime.Boxing;
using OneFlow.Dsl.Runtime.Kernels;
using OneFlow.Dsl.Runtime.Tracing;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>A plan made runnable on CPU devices: one arena per device, one actor per physical op, the
    /// boxing ops as in-process collectives. Feed the inputs, run a piece, read the output. Given a transport, it
    /// runs one process's share of a plan spread over several: only this process's devices get arenas and actors,
    /// and a boxing op whose devices span processes is carried out by a communication thread that takes those ops
    /// in plan order (the same order in every process, so collectives always match).</summary>
    public sealed unsafe class PlanSession : IPlanSession, IActorBody
    {
        public Plan Plan { get; }
        public float LearningRate { get; set; }
        public OptimizerSettings Optimizer { get; } = new OptimizerSettings();

        private readonly DeviceArena[] _arenas;
        private readonly ActorEngine _engine;
        private readonly int _gemmThreads;
        private readonly Array?[] _feeds;
        private readonly PlanLayout _layout;
        private readonly Transfer?[] _transfers;
        private readonly IntPtr[][] _collectiveSources;
        private readonly int[] _arrived;
        private readonly PartBox?[] _boxes;
        private readonly int[] _readsAt, _writesAt;
        private readonly IRankTransport? _transport;
        /// <summary>Plan actor ids of the engine's actors (this process's), and the engine id of each plan actor (−1 elsewhere).</summary>
        private readonly int[] _planActor, _engineActor;
        private readonly int[] _localParticipants;
        private readonly CrossRankBoxing?[] _crossRank;
        private readonly SemaphoreSlim?[] _crossReady;
        private readonly Thread? _communication;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly long[] _computeTicks;
        private readonly long[] _arrivedAt;
        private readonly int[]?[] _permutations;
        /// <summary>Per op, whether it works only in a step's last micro-batch (see <see cref="Plan.OncePerStep"/>).</summary>
        private readonly bool[] _oncePerStep;
        private TraceRecorder? _trace;
        private long _communicationTicks, _runTicks;

        /// <summary>Where the time of every <see cref="Run"/> so far went, in seconds: the runs' wall time, the compute
        /// of this process's busiest device, and the communication with other processes. Communication is hidden
        /// behind compute by (compute + communication − wall) / communication, where positive.</summary>
        public (double Wall, double Compute, double Communication) Timing
            => (Seconds(_runTicks), Seconds(_computeTicks.Max()), Seconds(Interlocked.Read(ref _communicationTicks)));

        private static double Seconds(long ticks) => (double)ticks / System.Diagnostics.Stopwatch.Frequency;

        public PlanSession(Plan plan, IRankTransport? transport = null)
        {
            Plan = plan;
            _transport = transport;
            if (transport == null && plan.DeviceMap.Ranks > 1)
                throw new ArgumentException($"The plan spreads its devices over {plan.DeviceMap.Ranks} processes; open it with a transport to them (OneFlow.Dsl.Mpi), or plan it for one process.");
            if (transport != null && transport.Size != plan.DeviceMap.Ranks)
                throw new ArgumentException($"The plan spreads its devices over {plan.DeviceMap.Ranks} process{(plan.DeviceMap.Ranks == 1 ? "" : "es")}, but {transport.Size} were started; plan for the world size (placement \"{transport.Size}/...\").");
            if (transport != null) SamePlanEverywhere(plan, transport);
            bool Local(int device) => transport == null || plan.DeviceMap.RankOf(device) == transport.Rank;
            _arenas = plan.ArenaBytes.Select((b, d) => new DeviceArena(Local(d) ? b : 0)).ToArray();
            _gemmThreads = Math.Max(1, Environment.ProcessorCount / plan.Devices);
            _feeds = new Array?[plan.Tensors.Count];
            _computeTicks = new long[plan.Devices];
            _arrivedAt = new long[plan.Actors.Count];
            _permutations = plan.Ops.Select(o => o.Kind == OpKind.Permute ? o.Args.Select(x => (int)x).ToArray() : null).ToArray();
            _oncePerStep = plan.OncePerStep();
            _layout = new PlanLayout(plan);
            _transfers = _layout.Transfers;
            _readsAt = _layout.ReadsAt;
            _writesAt = _layout.WritesAt;
            _collectiveSources = plan.Ops.Select(o => new IntPtr[o.Source.Count]).ToArray();
            _arrived = new int[plan.Ops.Count];
            _boxes = new PartBox?[plan.Actors.Count];
            _planActor = plan.Actors.Where(a => Local(a.Device)).Select(a => a.Id).ToArray();
            _engineActor = Enumerable.Repeat(-1, plan.Actors.Count).ToArray();
            for (int i = 0; i < _planActor.Length; i++) _engineActor[_planActor[i]] = i;
            _localParticipants = plan.Ops.Select(o => plan.ActorsOf(o.Id).Count(a => Local(a.Device))).ToArray();
            _crossRank = new CrossRankBoxing?[plan.Ops.Count];
            _crossReady = new SemaphoreSlim?[plan.Ops.Count];
            if (transport != null)
            {
                foreach (var op in plan.Ops.Where(o => MemoryPlanner.IsRendezvous(o) && _localParticipants[o.Id] > 0
                             && plan.ActorsOf(o.Id).Select(a => plan.DeviceMap.RankOf(a.Device)).Distinct().Count() > 1))
                {
                    _crossRank[op.Id] = new CrossRankBoxing(_layout, op, transport, (r, piece) => (IntPtr)Pointer(r, piece));
                    _crossReady[op.Id] = new SemaphoreSlim(0);
                }
            }
            // Weights are always there and the engine need not track them; everything else flows through slots.
            var actors = _planActor.Select((id, i) => plan.Actors[id]).Select((a, i) => new EngineActor(i, a.Device,
                a.Inputs.Concat(a.Controls).Where(r => plan.Registers[r].Producer >= 0).ToArray(), a.Output)).ToList();
            var registers = plan.Registers.Select(r => new EngineRegister(r.Id, r.Slots, r.Producer >= 0 ? _engineActor[r.Producer] : -1)).ToList();
            _engine = new ActorEngine(plan.Devices, actors, registers, this);
            if (_crossRank.Any(c => c != null))
            {
                _communication = new Thread(Communicate) { IsBackground = true, Name = "communication" };
                _communication.Start();
            }
        }

        /// <summary>Every process must run the very same plan: a different binary or option would pair messages that
        /// do not belong together. The plan hashes are compared before anything runs.</summary>
        private static void SamePlanEverywhere(Plan plan, IRankTransport transport)
        {
            ulong hash = ulong.Parse(PlanText.Hash(PlanText.Write(plan)), System.Globalization.NumberStyles.HexNumber);
            var mine = new float[] { BitConverter.Int32BitsToSingle((int)hash), BitConverter.Int32BitsToSingle((int)(hash >> 32)) };
            var theirs = new float[transport.Size * 2];
            fixed (float* m = mine, t = theirs)
            {
                var sends = new List<RankMessage>();
                var receives = new List<RankMessage>();
                for (int r = 0; r < transport.Size; r++)
                {
                    if (r == transport.Rank) continue;
                    sends.Add(new RankMessage(r, 32003, (IntPtr)m, 2));
                    receives.Add(new RankMessage(r, 32003, (IntPtr)(t + 2 * r), 2));
                }
                transport.Exchange(sends, receives);
            }
            for (int r = 0; r < transport.Size; r++)
            {
                if (r == transport.Rank) continue;
                ulong other = (uint)BitConverter.SingleToInt32Bits(theirs[2 * r]) | (ulong)(uint)BitConverter.SingleToInt32Bits(theirs[2 * r + 1]) << 32;
                if (other != hash)
                    throw new InvalidOperationException($"rank {transport.Rank} runs plan {hash:x16} but rank {r} runs plan {other:x16}: start every rank with the same program and options.");
            }
        }

        /// <summary>The boxing ops that span processes, in plan order, piece after piece: each waits until this
        /// process's participants have arrived, then moves the data between processes and completes them.</summary>
        private void Communicate()
        {
            var units = Buckets();
            var bucket = new float[units.Max(u => u.Length > 1 ? u.Sum(op => _crossRank[op.Id]!.AllReduceLength) : 0)];
            try
            {
                for (long piece = 0; ; piece++)
                    foreach (var unit in units)
                    {
                        if (Idle(unit[0], piece)) continue;
                        foreach (var op in unit) _crossReady[op.Id]!.Wait(_stop.Token);
                        long start = TraceRecorder.Now;
                        if (unit.Length == 1) _crossRank[unit[0].Id]!.Run(piece);
                        else AllReduceTogether(unit, bucket, piece);
                        long end = TraceRecorder.Now;
                        Interlocked.Add(ref _communicationTicks, end - start);
                        foreach (var op in unit)
                        {
                            if (_trace != null)
                            {
                                var first = Plan.ActorsOf(op.Id).First(p => _engineActor[p.Id] >= 0);
                                _trace.Add(first.Id, Plan.Devices, TraceKind.Communication, start, end);
                                Waited(Plan.ActorsOf(op.Id), end);
                            }
                            var participants = Plan.ActorsOf(op.Id);
                            for (int i = 0; i < participants.Count; i++)
                                if (_engineActor[participants[i].Id] >= 0) _engine.Complete(_engineActor[participants[i].Id]);
                        }
                    }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { _engine.Fail(e); }
        }

        /// <summary>Up to this many floats of gradients share one all-reduce (PyTorch DDP's bucket is 25 MB).</summary>
        private const int BucketFloats = 25 << 18;

        /// <summary>The cross-process ops in plan order, in units taken together: consecutive gradient all-reduces
        /// (one device per process, read by updates only, so none waits for another) share one collective — the same
        /// grouping in every process, computed from the plan alone.</summary>
        private PlanOp[][] Buckets()
        {
            var units = new List<PlanOp[]>();
            var open = new List<PlanOp>();
            int floats = 0;
            void Flush() { if (open.Count > 0) { units.Add(open.ToArray()); open.Clear(); floats = 0; } }
            foreach (var op in Plan.Ops.Where(o => _crossRank[o.Id] != null))
            {
                var boxing = _crossRank[op.Id]!;
                bool gradient = boxing.IsAllReduce && Plan.Ops.Where(o => o.Inputs.Contains(op.Output)).All(o => OpRegistry.Get(o.Kind) is UpdateOp);
                if (!gradient) { Flush(); units.Add(new[] { op }); continue; }
                if (floats + boxing.AllReduceLength > BucketFloats) Flush();
                open.Add(op);
                floats += boxing.AllReduceLength;
            }
            Flush();
            return units.ToArray();
        }

        /// <summary>Several gradient all-reduces as one: packed, reduced in place, unpacked.</summary>
        private void AllReduceTogether(PlanOp[] unit, float[] bucket, long piece)
        {
            int offset = 0;
            foreach (var op in unit)
            {
                var boxing = _crossRank[op.Id]!;
                boxing.CopyIn(bucket.AsSpan(offset, boxing.AllReduceLength), piece);
                offset += boxing.AllReduceLength;
            }
            _transport!.AllreduceSum(bucket.AsSpan(0, offset));
            offset = 0;
            foreach (var op in unit)
            {
                var boxing = _crossRank[op.Id]!;
                boxing.CopyOut(bucket.AsSpan(offset, boxing.AllReduceLength), piece);
                offset += boxing.AllReduceLength;
            }
        }

        /// <summary>Sets the host array an input op reads in the next <see cref="Run"/>: float[] or, for labels, int[].</summary>
        public void Feed(int tensor, Array data)
        {
            _layout.CheckFeed(tensor, data);
            _feeds[tensor] = data;
        }

        /// <summary>Runs one step (its micro-batches) or one inference through every actor and waits for it.</summary>
        public void Run()
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            _engine.Run(Plan.MicroBatches);
            _runTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            Array.Clear(_feeds);
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
                if (_transport != null) Gather(tensor, sources, received);
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
            if (_transport == null) return sum;
            Span<float> total = stackalloc float[1];
            total[0] = sum;
            _transport.AllreduceSum(total);
            return total[0];
        }

        private bool IsLocal(int device) => _transport == null || Plan.DeviceMap.RankOf(device) == _transport.Rank;

        /// <summary>Every process sends its parts of <paramref name="tensor"/> to every other, so that each can read
        /// the whole of it.</summary>
        private void Gather(int tensor, IntPtr[] sources, List<IntPtr> received)
        {
            var sends = new List<RankMessage>();
            var receives = new List<RankMessage>();
            const int tag = 32000;
            for (int i = 0; i < sources.Length; i++)
            {
                var r = Part(tensor, i);
                int owner = Plan.DeviceMap.RankOf(r.Device), floats = (int)r.LocalShape.Elements;
                if (owner == _transport!.Rank)
                {
                    for (int other = 0; other < _transport.Size; other++)
                        if (other != owner) sends.Add(new RankMessage(other, tag, (IntPtr)Pointer(r, 0), floats));
                }
                else
                {
                    var buffer = (IntPtr)NativeMemory.Alloc((nuint)Math.Max(1, floats) * sizeof(float));
                    received.Add(buffer);
                    sources[i] = buffer;
                    receives.Add(new RankMessage(owner, tag, buffer, floats));
                }
            }
            _transport!.Exchange(sends, receives);
        }

        private Register Part(int tensor, int index) => _layout.Part(tensor, index);

        private float* Pointer(Register r, long piece)
            => (float*)(_arenas[r.Device].Base + r.Offset + (piece % r.Slots) * r.SlotBytes);

        bool IActorBody.Act(int engineId, long piece)
        {
            var actor = Plan.Actors[_planActor[engineId]];
            var op = Plan.Ops[actor.Op];
            if (Idle(op, piece)) return true;
            long start = TraceRecorder.Now;
            switch (op.Kind)
            {
                case OpKind.Input:
                    ReadFeed(op, actor, piece);
                    _trace?.Add(actor.Id, actor.Device, TraceKind.Feed, start, TraceRecorder.Now);
                    return true;
                case OpKind.Boxing when MemoryPlanner.IsRendezvous(op):
                    _arrivedAt[actor.Id] = start;
                    return Arrive(op, actor, piece);
                case OpKind.Boxing:
                    var own = _collectiveSources[op.Id];
                    own[_readsAt[actor.Id]] = (IntPtr)Input(actor, 0, piece);
                    _transfers[op.Id]!.Apply(_writesAt[actor.Id], own, Output(actor, piece));
                    _trace?.Add(actor.Id, actor.Device, TraceKind.Boxing, start, TraceRecorder.Now);
                    return true;
                default:
                    Compute(op, actor, piece);
                    long end = TraceRecorder.Now;
                    Interlocked.Add(ref _computeTicks[actor.Device], end - start);
                    _trace?.Add(actor.Id, actor.Device, TraceKind.Compute, start, end);
                    return true;
            }
        }

        /// <summary>Starts recording what every thread does, for <see cref="WriteTrace"/>; at most
        /// <paramref name="capacity"/> events are kept.</summary>
        public void StartTrace(int capacity = 1 << 20) => _trace = new TraceRecorder(capacity);

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

        /// <summary>Copies this device's part of the piece's rows from the host: micro-batch p of a step is the
        /// p-th run of rows of the batch fed.</summary>
        private void ReadFeed(PlanOp op, Actor actor, long piece)
        {
            var feed = _feeds[op.Output] ?? throw new InvalidOperationException($"No data was fed for {Plan.Tensors[op.Output].Name}.");
            long offset = piece % Plan.MicroBatches * Plan.Tensors[op.Output].Shape.Elements * sizeof(float);
            fixed (byte* start = &MemoryMarshal.GetArrayDataReference(feed))
            {
                Span<IntPtr> sources = stackalloc IntPtr[1];
                sources[0] = (IntPtr)(start + offset);
                _transfers[op.Id]!.Apply(_writesAt[actor.Id], sources, Output(actor, piece));
            }
        }

        /// <summary>A collective: each participant leaves its buffers; the last to arrive moves the data for all
        /// of them and completes every participant. Nobody blocks, so no order of arrival can deadlock. In a
        /// transfer between placements, devices only on the source side bring data and receive nothing, devices
        /// only on the destination side the reverse.</summary>
        private bool Arrive(PlanOp op, Actor actor, long piece)
        {
            var sources = _collectiveSources[op.Id];
            if (actor.Inputs.Length > 0) sources[_readsAt[actor.Id]] = (IntPtr)Input(actor, 0, piece);
            var participants = Plan.ActorsOf(op.Id);
            if (Interlocked.Increment(ref _arrived[op.Id]) < _localParticipants[op.Id]) return false;
            _arrived[op.Id] = 0;
            if (_crossReady[op.Id] is { } ready) { ready.Release(); return false; }
            long start = TraceRecorder.Now;
            // Indexed loops: a foreach over the list interface would allocate an enumerator per collective.
            for (int i = 0; i < participants.Count; i++)
                if (participants[i].Output >= 0) _transfers[op.Id]!.Apply(_writesAt[participants[i].Id], sources, Output(participants[i], piece));
            if (_trace != null)
            {
                long end = TraceRecorder.Now;
                _trace.Add(actor.Id, actor.Device, TraceKind.Boxing, start, end);
                Waited(participants, end);
            }
            for (int i = 0; i < participants.Count; i++) _engine.Complete(_engineActor[participants[i].Id]);
            return false;
        }

        private float* Input(Actor a, int index, long piece) => Pointer(Plan.Registers[a.Inputs[index]], piece);
        private float* Output(Actor a, long piece) => Pointer(Plan.Registers[a.Output], piece);
        private Shape InputShape(Actor a, int index) => Plan.Registers[a.Inputs[index]].LocalShape;
        private Shape OutputShape(Actor a) => Plan.Registers[a.Output].LocalShape;

        private void Compute(PlanOp op, Actor a, long piece)
        {
            switch (op.Kind)
            {
                case OpKind.MatMul: MatMul(op, a, piece); break;
                case OpKind.Add: Elementwise.Add(In(a, 0, piece), InputShape(a, 0), In(a, 1, piece), InputShape(a, 1), Out(a, piece), OutputShape(a)); break;
                case OpKind.Sub: Elementwise.Sub(In(a, 0, piece), InputShape(a, 0), In(a, 1, piece), InputShape(a, 1), Out(a, piece), OutputShape(a)); break;
                case OpKind.Mul: Elementwise.Mul(In(a, 0, piece), InputShape(a, 0), In(a, 1, piece), InputShape(a, 1), Out(a, piece), OutputShape(a)); break;
                case OpKind.Neg: Elementwise.Neg(In(a, 0, piece), Out(a, piece)); break;
                case OpKind.Scale: Elementwise.Scale(In(a, 0, piece), (float)op.Args[0], Out(a, piece)); break;
                case OpKind.Accumulate: Elementwise.AccumulateMean(In(a, 0, piece), Out(a, piece), piece % Plan.MicroBatches == 0, Plan.MicroBatches); break;
                case OpKind.Relu: Elementwise.Relu(In(a, 0, piece), Out(a, piece)); break;
                case OpKind.ReluGrad: Elementwise.ReluGrad(In(a, 0, piece), In(a, 1, piece), Out(a, piece)); break;
                case OpKind.SumTo: Broadcasting.SumTo(In(a, 0, piece), InputShape(a, 0), Out(a, piece), OutputShape(a)); break;
                case OpKind.MomentumUpdate:
                    Elementwise.MomentumUpdate(Mutable(a, 0, piece), In(a, 1, piece), Mutable(a, 2, piece), LearningRate, Optimizer.Momentum, GradScale(op, a, piece));
                    break;
                case OpKind.AdamUpdate:
                    Elementwise.AdamUpdate(Mutable(a, 0, piece), In(a, 1, piece), Mutable(a, 2, piece), Mutable(a, 3, piece),
                        LearningRate, Optimizer.Beta1, Optimizer.Beta2, Optimizer.Epsilon, Optimizer.WeightDecay, Optimizer.Step, GradScale(op, a, piece));
                    break;
                case OpKind.SgdUpdate:
                    Elementwise.SgdUpdate(Mutable(a, 0, piece), In(a, 1, piece), LearningRate, GradScale(op, a, piece));
                    break;
                case OpKind.SumSquares: *Output(a, piece) = TensorPrimitives.SumOfSquares(In(a, 0, piece)); break;
                case OpKind.SoftmaxCrossEntropy:
                    *Output(a, piece) = Kernels.SoftmaxCrossEntropy.Forward(In(a, 0, piece), Labels(a, piece), Classes(a), Rows(op));
                    break;
                case OpKind.SoftmaxCrossEntropyGrad:
                    Kernels.SoftmaxCrossEntropy.Backward(In(a, 0, piece), Labels(a, piece), Classes(a), Rows(op), Out(a, piece));
                    break;
                case OpKind.Gelu: Elementwise.Gelu(In(a, 0, piece), Out(a, piece)); break;
                case OpKind.GeluGrad: Elementwise.GeluGrad(In(a, 0, piece), In(a, 1, piece), Out(a, piece)); break;
                case OpKind.Transpose:
                {
                    var x = InputShape(a, 0);
                    Elementwise.Transpose(In(a, 0, piece), x[x.Rank - 2], x[x.Rank - 1], Out(a, piece));
                    break;
                }
                case OpKind.CausalSoftmax: RowKernels.CausalSoftmax(In(a, 0, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.Softmax: RowKernels.Softmax(In(a, 0, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.SoftmaxGrad: RowKernels.SoftmaxGrad(In(a, 0, piece), In(a, 1, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.LogSoftmax: RowKernels.LogSoftmax(In(a, 0, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.LogSoftmaxGrad: RowKernels.LogSoftmaxGrad(In(a, 0, piece), In(a, 1, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.SumLast: RowKernels.SumLast(In(a, 0, piece), LastDim(a, 0), 1f, Out(a, piece)); break;
                case OpKind.MeanLast: RowKernels.SumLast(In(a, 0, piece), LastDim(a, 0), LogicalLastDim(op.Inputs[0]), Out(a, piece)); break;
                // The divisor is the logical row length: a mean over a split axis still divides by all of it.
                case OpKind.ExpandLast: RowKernels.ExpandLast(In(a, 0, piece), LastDim(a, 1), 1f, Out(a, piece)); break;
                case OpKind.ExpandLastMean: RowKernels.ExpandLast(In(a, 0, piece), LastDim(a, 1), LogicalLastDim(op.Output), Out(a, piece)); break;
                case OpKind.Embedding:
                    Shape table = InputShape(a, 1);
                    Kernels.Embedding.Forward(Ints(a, 0, piece), In(a, 1, piece), FirstRow(op.Inputs[1], a.Device), table[0], table[1], Out(a, piece));
                    break;
                case OpKind.EmbeddingGrad:
                    Shape grad = Plan.Registers[a.Output].LocalShape;
                    Kernels.Embedding.Backward(Ints(a, 0, piece), In(a, 1, piece), FirstRow(op.Output, a.Device), grad[0], grad[1], Out(a, piece));
                    break;
                case OpKind.Dropout: DropoutPart(a, op.Output, op.Args[0], op.Output, piece); break;
                case OpKind.DropoutGrad: DropoutPart(a, op.Output, op.Args[0], (long)op.Args[1], piece); break;
                // A reshape keeps each device's run of elements (its signatures ensure it), so it is a copy.
                case OpKind.Reshape: In(a, 0, piece).CopyTo(Out(a, piece)); break;
                case OpKind.Permute: AxisCopy.Permute(In(a, 0, piece), InputShape(a, 0), _permutations[op.Id]!, Out(a, piece)); break;
                case OpKind.Slice:
                {
                    var x = InputShape(a, 0);
                    int axis = (int)op.Args[0];
                    AxisCopy.Slice(In(a, 0, piece), x[axis], (int)op.Args[1], (int)op.Args[2], AxisCopy.Inner(x, axis), Out(a, piece));
                    break;
                }
                case OpKind.SliceGrad:
                {
                    var dy = InputShape(a, 0);
                    int axis = (int)op.Args[0];
                    AxisCopy.Unslice(In(a, 0, piece), (int)op.Args[2], (int)op.Args[1], dy[axis], AxisCopy.Inner(dy, axis), Out(a, piece));
                    break;
                }
                case OpKind.Concat:
                {
                    int axis = (int)op.Args[0];
                    Shape sa = InputShape(a, 0), sb = InputShape(a, 1);
                    AxisCopy.Concat(In(a, 0, piece), sa[axis], In(a, 1, piece), sb[axis], AxisCopy.Inner(sa, axis), Out(a, piece));
                    break;
                }
                case OpKind.MaxLast: RowKernels.MaxLast(In(a, 0, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.MaxLastGrad: RowKernels.MaxLastGrad(In(a, 0, piece), In(a, 1, piece), LastDim(a, 1), Out(a, piece)); break;
                case OpKind.LayerNorm: RowKernels.LayerNorm(In(a, 0, piece), LastDim(a, 0), Out(a, piece)); break;
                case OpKind.LayerNormGrad: RowKernels.LayerNormGrad(In(a, 0, piece), In(a, 1, piece), LastDim(a, 1), Out(a, piece)); break;
                default:
                    throw new InvalidOperationException($"The CPU backend has no kernel for {op.Kind}.");
            }
        }

        /// <summary>One GEMM per matrix of the batch (a plain matrix product is a batch of one).</summary>
        private void MatMul(PlanOp op, Actor a, long piece)
        {
            Shape sa = InputShape(a, 0), sb = InputShape(a, 1);
            int r = sa.Rank, rows = sa[r - 2], cols = sa[r - 1], bRows = sb[r - 2], bCols = sb[r - 1];
            int m = op.TransA ? cols : rows, k = op.TransA ? rows : cols, n = op.TransB ? bRows : bCols;
            long batch = sa.Elements / ((long)rows * cols);
            float* x = Input(a, 0, piece), w = Input(a, 1, piece), y = Output(a, piece);
            for (long i = 0; i < batch; i++)
                Gemm.Sgemm(op.TransA, op.TransB, m, n, k, x + i * rows * cols, cols, w + i * bRows * bCols, bCols,
                    y + i * m * n, n, accumulate: false, _gemmThreads);
        }

        /// <summary>Dropout on this device's part of <paramref name="tensor"/>, keyed by <paramref name="key"/> and the step.</summary>
        private void DropoutPart(Actor a, int tensor, double p, long key, long piece)
        {
            var layout = _boxes[a.Id] ??= Box(tensor, a.Device);
            Kernels.Dropout.Apply(In(a, 0, piece), Out(a, piece), p, key, piece, layout.Start, layout.Length, layout.Strides);
        }

        /// <summary>Where a device's part lies in the whole tensor, computed once per actor.</summary>
        private sealed class PartBox
        {
            public int[] Start = System.Array.Empty<int>(), Length = System.Array.Empty<int>();
            public long[] Strides = System.Array.Empty<long>();
        }

        private PartBox Box(int tensor, int device)
        {
            var t = Plan.Tensors[tensor];
            var strides = new long[t.Shape.Rank];
            long stride = 1;
            for (int i = strides.Length - 1; i >= 0; i--) { strides[i] = stride; stride *= t.Shape[i]; }
            return new PartBox
            {
                Start = Partition.Offsets(t.Shape, t.Sbp, t.Placement, Plan.DeviceMap.IndexIn(t.Placement, device)),
                Length = Partition.LocalShape(t.Shape, t.Sbp, t.Placement, Plan.DeviceMap.IndexIn(t.Placement, device)).ToArray(),
                Strides = strides,
            };
        }

        private int LastDim(Actor a, int input)
        {
            var shape = InputShape(a, input);
            return shape[shape.Rank - 1];
        }

        private int LogicalLastDim(int tensor)
        {
            var shape = Plan.Tensors[tensor].Shape;
            return shape[shape.Rank - 1];
        }

        /// <summary>The rows of a cross-entropy's whole logits, by which every device's sum is divided.</summary>
        private int Rows(PlanOp op) => (int)(Plan.Tensors[op.Inputs[0]].Shape.Elements / Plan.Tensors[op.Inputs[0]].Shape[Plan.Tensors[op.Inputs[0]].Shape.Rank - 1]);

        private int Classes(Actor a) => InputShape(a, 0)[InputShape(a, 0).Rank - 1];

        private ReadOnlySpan<float> In(Actor a, int index, long piece)
            => new ReadOnlySpan<float>(Input(a, index, piece), (int)InputShape(a, index).Elements);

        private ReadOnlySpan<int> Labels(Actor a, long piece) => Ints(a, 1, piece);

        private ReadOnlySpan<int> Ints(Actor a, int index, long piece)
            => new ReadOnlySpan<int>(Input(a, index, piece), (int)InputShape(a, index).Elements);

        /// <summary>The first table row this device holds: non-zero only for a table split by rows.</summary>
        private int FirstRow(int tensor, int device)
        {
            var t = Plan.Tensors[tensor];
            return Partition.Offsets(t.Shape, t.Sbp, t.Placement, Plan.DeviceMap.IndexIn(t.Placement, device))[0];
        }

        /// <summary>1, or for an update clipped by the global norm, the factor its last operand (the squared norm) gives.</summary>
        private float GradScale(PlanOp op, Actor a, long piece)
            => UpdateOp.IsClipped(op.Args) ? Optimizer.ClipScale(*Input(a, a.Inputs.Length - 1, piece)) : 1f;

        /// <summary>An input the op updates in place (a weight, an optimizer state).</summary>
        private Span<float> Mutable(Actor a, int index, long piece) => new Span<float>(Input(a, index, piece), (int)InputShape(a, index).Elements);

        private Span<float> Out(Actor a, long piece)
            => new Span<float>(Output(a, piece), (int)Plan.Registers[a.Output].LocalShape.Elements);

        public void Dispose()
        {
            _stop.Cancel();
            _communication?.Join();
            foreach (var c in _crossRank) c?.Dispose();
            _engine.Dispose();
            foreach (var arena in _arenas) arena.Dispose();
        }
    }
}
