using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Cuda.Kernels;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Runtime.Actors;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>A plan run on a GPU by the same actor engine as on CPUs: each plan device is a stream (all of them
    /// on the one GPU this machine has: a <c>cuda:0-3</c> plan runs its four devices as four streams), every
    /// device's arena is a slice of one allocation made when the session opens, and an actor only enqueues its
    /// op's kernel (<see cref="GpuKernels"/>), so the host never waits inside a step. Boxing ops are gathers from
    /// anywhere in that allocation; streams wait for each other by events (<see cref="StreamOrder"/>).</summary>
    public sealed unsafe class GpuPlanSession : IPlanSession, IActorBody
    {
        public Plan Plan { get; }
        public OptimizerSettings Optimizer { get; } = new OptimizerSettings();

        public float LearningRate
        {
            get => Optimizer.LearningRate;
            set => Optimizer.LearningRate = value;
        }

        private readonly GpuContext _gpu;
        private readonly PlanLayout _layout;
        private readonly Feeds _feeds;
        private readonly MemoryBuffer1D<float, Stride1D.Dense> _memory;
        private readonly ArrayView<float> _all;
        private readonly long[] _base;
        private readonly AcceleratorStream[] _streams;
        private readonly GpuGemm[] _gemm;
        private readonly StreamOrder _order;
        private readonly ActorEngine _engine;
        /// <summary>Per actor: its op's kernel and what it is handed (null for feeds and boxing), and its launches per act.</summary>
        private readonly Action<GpuKernelContext>?[] _kernels;
        private readonly GpuKernelContext?[] _contexts;
        private readonly int[] _launchesPerAct;
        private readonly bool[] _views;
        private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _scratch;
        private readonly MemoryBuffer1D<int, Stride1D.Dense>?[] _tables;
        private readonly PageLockedArray1D<float>?[] _staging;
        private readonly (MemoryBuffer1D<int, Stride1D.Dense> Map, int Contributions)?[] _gathers;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, int, int, int> _gather;
        private readonly int[] _arrived;
        /// <summary>For each actor, the actors on other devices whose work it must wait for on the GPU: the
        /// producers of what it reads, and the readers of what it is about to overwrite.</summary>
        private readonly int[][] _waits;
        private readonly object? _simulatorLock;
        private readonly StepReplay _replay = new StepReplay();
        private readonly StepValues _stepValues;
        /// <summary>The steps run so far: the next one's number, which keys dropout's mask (as the CPU engine's pieces do).</summary>
        private long _steps;
        private StreamInterleaving? _interleaving;
        private long _launches;
        [ThreadStatic] private static Accelerator? _bound;

        internal GpuPlanSession(Plan plan, GpuContext gpu, GpuKernels kernels)
        {
            if (plan.DeviceMap.Ranks > 1)
                throw new NotSupportedException($"The GPU backend runs a plan in one process, but {plan.Placement} spreads it over {plan.DeviceMap.Ranks}: " +
                    "run cuda placements in one process (\"cuda:0-3\" is four streams of the GPU), or spread cpu placements over processes (\"4/cpu:0-3\", --mpi).");
            if (plan.Registers.Any(r => r.Slots > 1))
                throw new NotSupportedException("The GPU backend runs plans with one slot per register and no micro-batches; plan with registerSlots: 1 and MicroBatches = 1.");
            Plan = plan;
            _gpu = gpu;
            _layout = new PlanLayout(plan);
            _feeds = new Feeds(_layout);
            // A view the memory plan made free enqueues nothing: its readers wait for its input's producer through it.
            _views = plan.Actors.Select(plan.IsView).ToArray();
            var describe = plan.Actors.Select(a => plan.Ops[a.Op].RunsAsKernel && !_views[a.Id] ? GpuKernels.Describe(plan.Ops[a.Op].Kind) : null).ToArray();
            var accelerator = gpu.Accelerator;
            _base = new long[plan.Devices];
            for (int d = 1; d < plan.Devices; d++) _base[d] = _base[d - 1] + plan.ArenaBytes[d - 1] / sizeof(float);
            long floats = _base[plan.Devices - 1] + plan.ArenaBytes[plan.Devices - 1] / sizeof(float);
            if (floats >= int.MaxValue) throw new NotSupportedException($"The plan needs {floats * 4:N0} bytes of GPU memory; the GPU backend addresses at most 8 GB per session.");
            _memory = accelerator.Allocate1D<float>(Math.Max(1, floats));
            // Optimizer states start from zero, as on CPUs (whose arenas are cleared when allocated).
            _memory.MemSetToZero();
            _all = _memory.View.AsContiguous();
            _streams = Enumerable.Range(0, plan.Devices).Select(_ => accelerator.CreateStream()).ToArray();
            _stepValues = new StepValues(accelerator);
            _gemm = Enumerable.Range(0, plan.Devices).Select(_ => new GpuGemm(accelerator)).ToArray();
            _order = new StreamOrder(accelerator, plan.Actors.Count, plan.Devices);
            _kernels = describe.Select((d, a) => d == null ? null : kernels.For(plan.Ops[plan.Actors[a].Op].Kind)).ToArray();
            var geometries = _layout.Geometries();
            _launchesPerAct = describe.Select((d, a) => _views[a] ? 0 : d?.Launches?.Invoke(geometries[a]!) ?? 1).ToArray();
            _scratch = plan.Actors.Select(a => describe[a.Id]?.Scratch is { } size ? accelerator.Allocate1D<float>(Math.Max(1, size(geometries[a.Id]!))) : null).ToArray();
            _contexts = plan.Actors.Select(a => geometries[a.Id] == null ? null : Context(a, geometries[a.Id]!)).ToArray();
            _tables = plan.Actors.Select(a => describe[a.Id]?.Table is { } table ? Table(_contexts[a.Id]!, table(_contexts[a.Id]!)) : null).ToArray();
            _staging = plan.Actors.Select(a => plan.Ops[a.Op].Kind == OpKind.Input ? accelerator.AllocatePageLocked1D<float>(Math.Max(1, plan.Registers[a.Output].LocalShape.Elements)) : null).ToArray();
            _gathers = plan.Actors.Select(GatherOf).ToArray();
            _gather = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int, int>(GatherKernels.Gather);
            _arrived = new int[plan.Ops.Count];
            _waits = plan.Actors.Select(WaitsOf).ToArray();
            _simulatorLock = gpu.IsCuda ? null : new object();
            (_engine, _, _) = _layout.Engine(_ => true, this);
        }

        private GpuKernelContext Context(Actor a, OpGeometry geometry)
            => new GpuKernelContext(geometry, a.Inputs.Select(View).ToArray(), a.Output >= 0 ? View(a.Output) : default, _streams[a.Device], _gemm[a.Device])
            {
                Optimizer = Optimizer,
                Scratch = _scratch[a.Id] is { } scratch ? scratch.View.AsContiguous() : default,
                Workspace = a.Workspace >= 0 ? View(a.Workspace) : default,
                StepValues = _stepValues.View,
                Memory = _all,
                InputOffsets = a.Inputs.Select(r => Offset(Plan.Registers[r])).ToArray(),
                OutputOffset = a.Output >= 0 ? Offset(Plan.Registers[a.Output]) : 0,
            };

        /// <summary>An instance's table, copied to the device now (outside any step) and handed to its context.</summary>
        private MemoryBuffer1D<int, Stride1D.Dense> Table(GpuKernelContext context, int[] values)
        {
            var buffer = _gpu.Accelerator.Allocate1D(values.Length == 0 ? new int[1] : values);
            context.Table = buffer.View.AsContiguous();
            return buffer;
        }

        private int[] WaitsOf(Actor a)
        {
            var waits = new HashSet<int>();
            foreach (int r in a.Inputs.Concat(a.Controls))
                if (Plan.Registers[r].Producer >= 0) waits.Add(Plan.Registers[r].Producer);
            if (a.Output >= 0)
                foreach (var reader in Plan.ConsumersOf(a.Output)) waits.Add(reader.Id);
            // A collective's actors finish together on the last arrival's stream: wait for every participant's inputs.
            if (Plan.Ops[a.Op].IsRendezvous)
                foreach (var p in Plan.ActorsOf(a.Op))
                    foreach (int r in p.Inputs)
                        if (Plan.Registers[r].Producer >= 0) waits.Add(Plan.Registers[r].Producer);
            waits.RemoveWhere(w => Plan.Actors[w].Device == a.Device && !Plan.Ops[Plan.Actors[w].Op].IsRendezvous);
            return waits.ToArray();
        }

        /// <summary>The index map of a boxing actor that writes a part: for each element, where its contributions are.</summary>
        private (MemoryBuffer1D<int, Stride1D.Dense>, int)? GatherOf(Actor a)
        {
            var op = Plan.Ops[a.Op];
            if (op.Kind != OpKind.Boxing || a.Output < 0) return null;
            var transfer = _layout.Transfers[op.Id]!;
            int count = (int)Plan.Registers[a.Output].LocalShape.Elements;
            var contributions = new List<int>[count];
            for (int i = 0; i < count; i++) contributions[i] = new List<int>();
            foreach (var part in transfer.Parts[_layout.WritesAt[a.Id]])
            {
                long source = Offset(_layout.Part(op.Inputs[0], part.Source));
                foreach (var s in part.Segments)
                    for (int j = 0; j < s.Length; j++) contributions[s.Dst + j].Add((int)(source + s.Src + j));
            }
            int k = Math.Max(1, contributions.Max(c => c.Count));
            var map = new int[k * count];
            for (int j = 0; j < k; j++)
                for (int i = 0; i < count; i++) map[j * count + i] = j < contributions[i].Count ? contributions[i][j] : -1;
            var buffer = _gpu.Accelerator.Allocate1D<int>(Math.Max(1, map.Length));
            buffer.View.SubView(0, map.Length).CopyFromCPU(map);
            return (buffer, k);
        }

        private long Offset(Register r) => _base[r.Device] + r.Offset / sizeof(float);

        private ArrayView<float> View(Register r) => _all.SubView(Offset(r), Math.Max(1, r.LocalShape.Elements));

        private ArrayView<float> View(int register) => View(Plan.Registers[register]);

        public void Feed(int tensor, Array data) => _feeds.Set(tensor, data);

        /// <summary>Records the first step as a CUDA graph and replays it from then on (see <see cref="StepReplay"/>).
        /// Only on a CUDA GPU; elsewhere every step runs as enqueued.</summary>
        public bool UseGraph { get; set; }

        /// <summary>Runs one step: on a GPU with <see cref="UseGraph"/>, by replaying the recorded graph.</summary>
        public void Run()
        {
            _stepValues.Set(Optimizer, _steps++);
            if (UseGraph && _gpu.IsCuda)
            {
                _replay.Run(_streams[0], Optimizer, StageInputs, RecordStep);
                LaunchesPerStep = 1;
                _synchronizations = 1;
            }
            else
            {
                Interlocked.Exchange(ref _launches, 0);
                _synchronizations = 0;
                BeginStep();
                _engine.Run(1);
                Synchronize();
                LaunchesPerStep = Interlocked.Read(ref _launches);
            }
            _feeds.Clear();
        }

        /// <summary>Input actors fill their pinned buffers as always; their copies are recorded with everything else.</summary>
        private void RecordStep()
        {
            _gpu.Accelerator.Bind();
            BeginStep();
            _engine.Run(1);
            _order.Join(_streams);
        }

        /// <summary>The step's values copied to the device on the first stream, which every other stream then waits for.</summary>
        private void BeginStep()
        {
            _stepValues.Upload(_streams[0]);
            Interlocked.Increment(ref _launches);
            _order.Fork(_streams);
        }

        private void StageInputs()
        {
            foreach (var a in Plan.Actors) if (Plan.Ops[a.Op].Kind == OpKind.Input) Stage(Plan.Ops[a.Op], a, 0);
        }

        /// <summary>Kernels and copies the last <see cref="Run"/> enqueued (cuBLAS calls count as one).</summary>
        public long LaunchesPerStep { get; private set; }

        /// <summary>Where a step's launches go, by op kind, most first (one act per actor, the step's values' copy aside): a
        /// collective launches a gather per participant that receives, every other actor its own launches.</summary>
        public IReadOnlyList<(OpKind Kind, int Launches)> LaunchesByKind()
            => Plan.Actors.Where(a => !Plan.Ops[a.Op].IsRendezvous || a.Output >= 0)
                .GroupBy(a => Plan.Ops[a.Op].Kind, a => _launchesPerAct[a.Id])
                .Select(g => (g.Key, g.Sum())).Where(g => g.Item2 > 0).OrderByDescending(g => g.Item2).ToList();

        /// <summary>Times the host has waited for the GPU since the last <see cref="Run"/> began, counted where it waits: for a
        /// training step, at the end of the run and to read the loss.</summary>
        public int HostSynchronizationsPerStep => _synchronizations;

        private int _synchronizations;

        /// <summary>From now on, streams run in a random order that honours only stream order and the recorded events
        /// (<see cref="StreamInterleaving"/>); the simulator only.</summary>
        internal StreamInterleaving InterleaveStreams(int seed)
        {
            if (_gpu.IsCuda) throw new InvalidOperationException("Interleaving is a test mode of the simulator; a GPU interleaves by itself.");
            Synchronize();
            return _interleaving = new StreamInterleaving(Plan.Devices, Plan.Actors.Count, seed);
        }

        private void Synchronize()
        {
            _interleaving?.Drain();
            _synchronizations++;
            foreach (var s in _streams) s.Synchronize();
        }

        public void Write(int tensor, ReadOnlySpan<float> logical)
        {
            Synchronize();
            var transfer = _layout.FromHost(tensor);
            var at = Plan.Tensors[tensor].Placement;
            fixed (float* src = logical)
            {
                var sources = new[] { (IntPtr)src };
                for (int i = 0; i < at.Count; i++)
                {
                    var r = _layout.Part(tensor, i);
                    var part = new float[r.LocalShape.Elements];
                    fixed (float* dst = part) transfer.Apply(i, sources, dst);
                    _memory.View.SubView(Offset(r), part.Length).CopyFromCPU(part);
                }
            }
        }

        public void Read(int tensor, Span<float> logical)
        {
            Synchronize();
            var transfer = _layout.ToHost(tensor);
            int parts = Plan.Tensors[tensor].Placement.Count;
            var buffers = new float[parts][];
            var handles = new GCHandle[parts];
            try
            {
                var sources = new IntPtr[parts];
                for (int i = 0; i < parts; i++)
                {
                    var r = _layout.Part(tensor, i);
                    buffers[i] = new float[r.LocalShape.Elements];
                    _memory.View.SubView(Offset(r), buffers[i].Length).CopyToCPU(buffers[i]);
                    handles[i] = GCHandle.Alloc(buffers[i], GCHandleType.Pinned);
                    sources[i] = handles[i].AddrOfPinnedObject();
                }
                fixed (float* dst = logical) transfer.Apply(0, sources, dst);
            }
            finally
            {
                foreach (var h in handles) if (h.IsAllocated) h.Free();
            }
        }

        public float ReadScalar(int tensor)
        {
            if (tensor != Plan.Output) throw new ArgumentException("ReadScalar reads the plan's output; use Read for other tensors.");
            Synchronize();
            float sum = 0;
            var one = new float[1];
            foreach (var part in _layout.ScalarParts)
            {
                _memory.View.SubView(Offset(part), 1).CopyToCPU(one);
                sum += one[0];
            }
            return sum;
        }

        bool IActorBody.Act(int actorId, long piece)
        {
            if (!ReferenceEquals(_bound, _gpu.Accelerator)) { _gpu.Accelerator.Bind(); _bound = _gpu.Accelerator; }
            var actor = Plan.Actors[actorId];
            var op = Plan.Ops[actor.Op];
            if (op.IsRendezvous) return Arrive(op, actor);
            var stream = _streams[actor.Device];
            if (_interleaving != null)
            {
                _interleaving.Enqueue(actor.Device, _waits[actorId].Select(w => (actorId, w)), new[] { actorId }, () => Execute(actor, op, stream, piece));
                Interlocked.Add(ref _launches, _launchesPerAct[actorId]);
                return true;
            }
            foreach (int w in _waits[actorId]) _order.After(w, stream);
            bool locked = Serialise();
            try { Execute(actor, op, stream, piece); }
            finally { if (locked) Monitor.Exit(_simulatorLock!); }
            Interlocked.Add(ref _launches, _launchesPerAct[actorId]);
            _order.Done(actorId, stream);
            return true;
        }

        /// <summary>The act's kernels or copy, enqueued on its stream.</summary>
        private void Execute(Actor actor, PlanOp op, AcceleratorStream stream, long piece)
        {
            if (_views[actor.Id]) return;
            if (_kernels[actor.Id] is { } kernel)
            {
                var context = _contexts[actor.Id]!;
                context.Piece = piece;
                kernel(context);
            }
            else if (op.Kind == OpKind.Input) Upload(op, actor, stream, piece);
            else Gather(actor, stream);
        }

        /// <summary>On the simulator, launches from several threads take turns; a GPU takes them as they come.</summary>
        private bool Serialise()
        {
            bool taken = false;
            if (_simulatorLock != null) Monitor.Enter(_simulatorLock, ref taken);
            return taken;
        }

        /// <summary>The last participant to arrive enqueues every destination's gather on its own stream, after the
        /// work of all participants' producers, and completes them all.</summary>
        private bool Arrive(PlanOp op, Actor actor)
        {
            var participants = Plan.ActorsOf(op.Id);
            if (Interlocked.Increment(ref _arrived[op.Id]) < participants.Count) return false;
            _arrived[op.Id] = 0;
            var stream = _streams[actor.Device];
            int written = 0;
            foreach (var p in participants) if (p.Output >= 0) written++;
            if (_interleaving != null)
            {
                var waits = _waits[actor.Id].Select(w => (actor.Id, w)).Concat(participants.SelectMany(p => _waits[p.Id].Select(w => (p.Id, w))));
                _interleaving.Enqueue(actor.Device, waits, participants.Select(p => p.Id), () => { foreach (var p in participants) if (p.Output >= 0) Gather(p, stream); });
            }
            else
            {
                foreach (int w in _waits[actor.Id]) _order.After(w, stream);
                foreach (var p in participants)
                    foreach (int w in _waits[p.Id]) _order.After(w, stream);
                bool locked = Serialise();
                try
                {
                    foreach (var p in participants) if (p.Output >= 0) Gather(p, stream);
                }
                finally { if (locked) Monitor.Exit(_simulatorLock!); }
                foreach (var p in participants) _order.Done(p.Id, stream);
            }
            Interlocked.Add(ref _launches, written);
            foreach (var p in participants) _engine.Complete(p.Id);
            return false;
        }

        private void Gather(Actor a, AcceleratorStream stream)
        {
            var (map, k) = _gathers[a.Id]!.Value;
            var r = Plan.Registers[a.Output];
            int count = (int)r.LocalShape.Elements;
            _gather(stream, count, _all, map.View.AsContiguous(), count, k, (int)Offset(r));
        }

        private void Upload(PlanOp op, Actor actor, AcceleratorStream stream, long piece)
        {
            Stage(op, actor, piece);
            View(actor.Output).CopyFromPageLockedAsync(stream, _staging[actor.Id]!);
        }

        /// <summary>This device's part of the fed array, into the pinned buffer its copy reads.</summary>
        private void Stage(PlanOp op, Actor actor, long piece)
        {
            fixed (float* dst = _staging[actor.Id]!.Span) _feeds.CopyPart(op, actor, piece, dst);
        }

        public void Dispose()
        {
            _engine.Dispose();
            Synchronize();
            _replay.Dispose();
            _stepValues.Dispose();
            _order.Dispose();
            foreach (var g in _gemm) g.Dispose();
            foreach (var g in _gathers) g?.Map.Dispose();
            foreach (var b in _scratch) b?.Dispose();
            foreach (var b in _tables) b?.Dispose();
            foreach (var b in _staging) b?.Dispose();
            foreach (var s in _streams) s.Dispose();
            _memory.Dispose();
        }
    }
}
