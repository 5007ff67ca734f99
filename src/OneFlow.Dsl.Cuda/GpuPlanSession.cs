using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Cuda.Kernels;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Passes;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Runtime.Actors;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>A plan run on a GPU by the same actor engine as on CPUs: each plan device is a stream (all of them
    /// on the one GPU this machine has: a <c>cuda:0-3</c> plan runs its four devices as four streams), every
    /// device's arena is a slice of one allocation made when the session opens, and an actor only enqueues its
    /// kernels, so the host never waits inside a step. Boxing ops are gathers from anywhere in that allocation;
    /// streams wait for each other by events.</summary>
    public sealed unsafe class GpuPlanSession : IPlanSession, IActorBody
    {
        public Plan Plan { get; }
        public float LearningRate { get; set; }
        public OptimizerSettings Optimizer { get; } = new OptimizerSettings();

        private readonly GpuContext _gpu;
        private readonly GpuKernels _k;
        private readonly PlanLayout _layout;
        private readonly MemoryBuffer1D<float, Stride1D.Dense> _memory;
        private readonly ArrayView<float> _all;
        private readonly long[] _base;
        private readonly AcceleratorStream[] _streams;
        private readonly GpuGemm[] _gemm;
        private readonly StreamOrder _order;
        private readonly ActorEngine _engine;
        private readonly Array?[] _feeds;
        private readonly PageLockedArray1D<float>?[] _staging;
        private readonly (MemoryBuffer1D<int, Stride1D.Dense> Map, int Contributions)?[] _gathers;
        private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _scratch;
        private readonly int[] _arrived;
        /// <summary>For each actor, the actors on other devices whose work it must wait for on the GPU: the
        /// producers of what it reads, and the readers of what it is about to overwrite.</summary>
        private readonly int[][] _waits;
        private readonly object? _simulatorLock;
        private long _launches;
        private readonly int[]?[] _permutations;
        private readonly CudaGraph _graph = new CudaGraph();
        private float _graphRate = float.NaN;
        [ThreadStatic] private static Accelerator? _bound;

        public GpuPlanSession(Plan plan, GpuContext gpu, GpuKernels kernels)
        {
            if (plan.Registers.Any(r => r.Slots > 1))
                throw new NotSupportedException("The GPU backend runs plans with one slot per register and no micro-batches; plan with registerSlots: 1 and MicroBatches = 1.");
            Plan = plan;
            _gpu = gpu;
            _k = kernels;
            _layout = new PlanLayout(plan);
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
            _gemm = Enumerable.Range(0, plan.Devices).Select(_ => new GpuGemm(accelerator, kernels)).ToArray();
            _order = new StreamOrder(accelerator, plan.Actors.Count, plan.Devices);
            _feeds = new Array?[plan.Tensors.Count];
            _staging = plan.Actors.Select(a => plan.Ops[a.Op].Kind == OpKind.Input ? accelerator.AllocatePageLocked1D<float>(Math.Max(1, plan.Registers[a.Output].LocalShape.Elements)) : null).ToArray();
            _gathers = plan.Actors.Select(GatherOf).ToArray();
            _scratch = plan.Actors.Select(a => plan.Ops[a.Op].Kind == OpKind.SoftmaxCrossEntropy ? accelerator.Allocate1D<float>(Math.Max(1, plan.Registers[a.Inputs[1]].LocalShape.Elements)) : null).ToArray();
            _arrived = new int[plan.Ops.Count];
            _permutations = plan.Ops.Select(o => o.Kind == OpKind.Permute ? o.Args.Select(x => (int)x).ToArray() : null).ToArray();
            _waits = plan.Actors.Select(WaitsOf).ToArray();
            _simulatorLock = gpu.IsCuda ? null : new object();
            var actors = plan.Actors.Select(a => new EngineActor(a.Id, a.Device,
                a.Inputs.Concat(a.Controls).Where(r => plan.Registers[r].Producer >= 0).ToArray(), a.Output)).ToList();
            var registers = plan.Registers.Select(r => new EngineRegister(r.Id, r.Slots, r.Producer)).ToList();
            _engine = new ActorEngine(plan.Devices, actors, registers, this);
        }

        private int[] WaitsOf(Actor a)
        {
            var waits = new HashSet<int>();
            foreach (int r in a.Inputs.Concat(a.Controls))
                if (Plan.Registers[r].Producer >= 0) waits.Add(Plan.Registers[r].Producer);
            if (a.Output >= 0)
                foreach (var reader in Plan.ConsumersOf(a.Output)) waits.Add(reader.Id);
            // A collective's actors finish together on the last arrival's stream: wait for every participant's inputs.
            if (MemoryPlanner.IsRendezvous(Plan.Ops[a.Op]))
                foreach (var p in Plan.ActorsOf(a.Op))
                    foreach (int r in p.Inputs)
                        if (Plan.Registers[r].Producer >= 0) waits.Add(Plan.Registers[r].Producer);
            waits.RemoveWhere(w => Plan.Actors[w].Device == a.Device && !MemoryPlanner.IsRendezvous(Plan.Ops[Plan.Actors[w].Op]));
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

        public void Feed(int tensor, Array data)
        {
            _layout.CheckFeed(tensor, data);
            _feeds[tensor] = data;
        }

        /// <summary>Records the first step as a CUDA graph and replays it from then on: one launch per step instead of
        /// one per kernel. Only on a CUDA GPU; a changed learning rate (a kernel argument) records anew.</summary>
        public bool UseGraph
        {
            get => _useGraph;
            set
            {
                // A graph replays its kernels' arguments, the step number that keys dropout's mask among them.
                if (value && Plan.Ops.Any(o => o.Kind == OpKind.Dropout))
                    throw new NotSupportedException("This plan has dropout, whose mask changes every step; a recorded CUDA graph would replay one mask. Run it without UseGraph.");
                if (value && Plan.Ops.Any(o => o.Kind == OpKind.AdamUpdate))
                    throw new NotSupportedException("This plan updates with Adam, whose bias correction changes every step; a recorded CUDA graph would replay one step's. Run it without UseGraph.");
                _useGraph = value;
            }
        }

        private bool _useGraph;

        /// <summary>Runs one step: on a GPU with <see cref="UseGraph"/>, by replaying the recorded graph.</summary>
        public void Run()
        {
            if (UseGraph && _gpu.IsCuda) { RunGraph(); return; }
            Interlocked.Exchange(ref _launches, 0);
            _engine.Run(1);
            Synchronize();
            LaunchesPerStep = Interlocked.Read(ref _launches);
            Array.Clear(_feeds);
        }

        private void RunGraph()
        {
            if (_graph.Ready && _graphRate == LearningRate)
            {
                foreach (var a in Plan.Actors) if (Plan.Ops[a.Op].Kind == OpKind.Input) Stage(Plan.Ops[a.Op], a);
                _graph.Launch(_streams[0]);
                _streams[0].Synchronize();
                LaunchesPerStep = 1;
                Array.Clear(_feeds);
                return;
            }
            _graph.Dispose();
            _gpu.Accelerator.Bind();
            CudaGraph.Begin(_streams[0]);
            // Input actors fill their pinned buffers as always; their copies are recorded with everything else.
            try
            {
                _order.Fork(_streams);
                _engine.Run(1);
                _order.Join(_streams);
            }
            finally
            {
                _graph.End(_streams[0]);
            }
            _graphRate = LearningRate;
            // Recording runs nothing: this step runs now, as the graph's first replay.
            _graph.Launch(_streams[0]);
            _streams[0].Synchronize();
            LaunchesPerStep = 1;
            Array.Clear(_feeds);
        }

        /// <summary>Kernels and copies the last <see cref="Run"/> enqueued (cuBLAS calls count as one).</summary>
        public long LaunchesPerStep { get; private set; }

        /// <summary>Times the host waits for the GPU in a training step: once at the end of <see cref="Run"/>, once to
        /// read the loss.</summary>
        public int HostSynchronizationsPerStep => 2;

        private void Synchronize()
        {
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
            if (op.Kind == OpKind.Boxing && MemoryPlanner.IsRendezvous(op)) return Arrive(op, actor);
            var stream = _streams[actor.Device];
            foreach (int w in _waits[actorId]) _order.After(w, stream);
            bool locked = Serialise();
            try
            {
                if (op.Kind == OpKind.Input) Upload(op, actor, stream);
                else if (op.Kind == OpKind.Boxing) Gather(actor, stream);
                else Compute(op, actor, stream, piece);
            }
            finally { if (locked) Monitor.Exit(_simulatorLock!); }
            Interlocked.Add(ref _launches, op.Kind == OpKind.SoftmaxCrossEntropy ? 2 : 1);
            _order.Done(actorId, stream);
            return true;
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
            foreach (int w in _waits[actor.Id]) _order.After(w, stream);
            foreach (var p in participants)
                foreach (int w in _waits[p.Id]) _order.After(w, stream);
            bool locked = Serialise();
            try
            {
                foreach (var p in participants) if (p.Output >= 0) Gather(p, stream);
            }
            finally { if (locked) Monitor.Exit(_simulatorLock!); }
            int written = 0;
            foreach (var p in participants) if (p.Output >= 0) written++;
            Interlocked.Add(ref _launches, written);
            foreach (var p in participants) _order.Done(p.Id, stream);
            foreach (var p in participants) _engine.Complete(p.Id);
            return false;
        }

        private void Gather(Actor a, AcceleratorStream stream)
        {
            var (map, k) = _gathers[a.Id]!.Value;
            var r = Plan.Registers[a.Output];
            _k.Gather(stream, _all, map.View.AsContiguous(), (int)r.LocalShape.Elements, k, (int)Offset(r));
        }

        private void Upload(PlanOp op, Actor actor, AcceleratorStream stream)
        {
            Stage(op, actor);
            View(actor.Output).CopyFromPageLockedAsync(stream, _staging[actor.Id]!);
        }

        /// <summary>This device's part of the fed array, into the pinned buffer its copy reads.</summary>
        private void Stage(PlanOp op, Actor actor)
        {
            var feed = _feeds[op.Output] ?? throw new InvalidOperationException($"No data was fed for {Plan.Tensors[op.Output].Name}.");
            fixed (byte* src = &MemoryMarshal.GetArrayDataReference(feed))
            fixed (float* dst = _staging[actor.Id]!.Span)
            {
                Span<IntPtr> sources = stackalloc IntPtr[1];
                sources[0] = (IntPtr)src;
                _layout.Transfers[op.Id]!.Apply(_layout.WritesAt[actor.Id], sources, dst);
            }
        }

        private Shape InShape(Actor a, int i) => Plan.Registers[a.Inputs[i]].LocalShape;
        private Shape OutShape(Actor a) => Plan.Registers[a.Output].LocalShape;
        private ArrayView<float> In(Actor a, int i) => View(a.Inputs[i]);
        private ArrayView<float> Out(Actor a) => View(a.Output);
        private int Last(Shape s) => s[s.Rank - 1];
        private int LogicalLast(int tensor) => Last(Plan.Tensors[tensor].Shape);

        private void Compute(PlanOp op, Actor a, AcceleratorStream s, long piece)
        {
            switch (op.Kind)
            {
                case OpKind.MatMul:
                {
                    Shape sa = InShape(a, 0), sb = InShape(a, 1);
                    int r = sa.Rank, rows = sa[r - 2], cols = sa[r - 1], bRows = sb[r - 2], bCols = sb[r - 1];
                    int m = op.TransA ? cols : rows, k = op.TransA ? rows : cols, n = op.TransB ? bRows : bCols;
                    long batch = sa.Elements / ((long)rows * cols);
                    ArrayView<float> x = In(a, 0), w = In(a, 1), y = Out(a);
                    for (long i = 0; i < batch; i++)
                        _gemm[a.Device].Run(s, op.TransA, op.TransB, m, n, k, x.SubView(i * rows * cols, rows * cols), cols,
                            w.SubView(i * bRows * bCols, bRows * bCols), bCols, y.SubView(i * m * n, (long)m * n), n);
                    break;
                }
                case OpKind.Add: _k.Add(s, In(a, 0), InShape(a, 0), In(a, 1), InShape(a, 1), Out(a), OutShape(a)); break;
                case OpKind.Sub: _k.Sub(s, In(a, 0), InShape(a, 0), In(a, 1), InShape(a, 1), Out(a), OutShape(a)); break;
                case OpKind.Mul: _k.Mul(s, In(a, 0), InShape(a, 0), In(a, 1), InShape(a, 1), Out(a), OutShape(a)); break;
                case OpKind.SumTo: _k.SumTo(s, In(a, 0), InShape(a, 0), Out(a), OutShape(a)); break;
                case OpKind.Neg: _k.Neg(s, In(a, 0), Out(a)); break;
                case OpKind.Scale: _k.Scale(s, In(a, 0), (float)op.Args[0], Out(a)); break;
                case OpKind.Relu: _k.Relu(s, In(a, 0), Out(a)); break;
                case OpKind.ReluGrad: _k.ReluGrad(s, In(a, 0), In(a, 1), Out(a)); break;
                case OpKind.Gelu: _k.Gelu(s, In(a, 0), Out(a)); break;
                case OpKind.GeluGrad: _k.GeluGrad(s, In(a, 0), In(a, 1), Out(a)); break;
                case OpKind.SgdUpdate: _k.SgdUpdate(s, In(a, 0), In(a, 1), LearningRate, Norm(op, a), MaxNorm(op)); break;
                case OpKind.MomentumUpdate: _k.MomentumUpdate(s, In(a, 0), In(a, 1), In(a, 2), LearningRate, Optimizer.Momentum, Norm(op, a), MaxNorm(op)); break;
                case OpKind.AdamUpdate:
                    _k.AdamUpdate(s, In(a, 0), In(a, 1), In(a, 2), In(a, 3), LearningRate, Optimizer.Beta1, Optimizer.Beta2, Optimizer.Epsilon, Optimizer.WeightDecay, Optimizer.Step,
                        Norm(op, a), MaxNorm(op));
                    break;
                case OpKind.SumSquares: _k.SumSquares(s, In(a, 0), Out(a)); break;
                case OpKind.SoftmaxCrossEntropy:
                    _k.CrossEntropy(s, In(a, 0), In(a, 1).Cast<int>(), _scratch[a.Id]!.View.AsContiguous(), Out(a), Last(InShape(a, 0)), Rows(op));
                    break;
                case OpKind.SoftmaxCrossEntropyGrad: _k.CrossEntropyGrad(s, In(a, 0), In(a, 1).Cast<int>(), Out(a), Last(InShape(a, 0)), Rows(op)); break;
                case OpKind.Transpose:
                {
                    var x = InShape(a, 0);
                    _k.Transpose(s, In(a, 0), Out(a), x[x.Rank - 2], x[x.Rank - 1]);
                    break;
                }
                case OpKind.CausalSoftmax: _k.CausalSoftmax(s, In(a, 0), Out(a), Last(InShape(a, 0))); break;
                case OpKind.Softmax: _k.Softmax(s, In(a, 0), Out(a), Last(InShape(a, 0))); break;
                case OpKind.SoftmaxGrad: _k.SoftmaxGrad(s, In(a, 0), In(a, 1), Out(a), Last(InShape(a, 0))); break;
                case OpKind.LogSoftmax: _k.LogSoftmax(s, In(a, 0), Out(a), Last(InShape(a, 0))); break;
                case OpKind.LogSoftmaxGrad: _k.LogSoftmaxGrad(s, In(a, 0), In(a, 1), Out(a), Last(InShape(a, 0))); break;
                case OpKind.SumLast: _k.SumLast(s, In(a, 0), Out(a), Last(InShape(a, 0)), 1f); break;
                case OpKind.MeanLast: _k.SumLast(s, In(a, 0), Out(a), Last(InShape(a, 0)), LogicalLast(op.Inputs[0])); break;
                case OpKind.ExpandLast: _k.ExpandLast(s, In(a, 0), Out(a), Last(InShape(a, 1)), 1f); break;
                case OpKind.ExpandLastMean: _k.ExpandLast(s, In(a, 0), Out(a), Last(InShape(a, 1)), LogicalLast(op.Output)); break;
                case OpKind.MaxLast: _k.MaxLast(s, In(a, 0), Out(a), Last(InShape(a, 0))); break;
                case OpKind.MaxLastGrad: _k.MaxLastGrad(s, In(a, 0), In(a, 1), Out(a), Last(InShape(a, 1))); break;
                case OpKind.LayerNorm: _k.LayerNorm(s, In(a, 0), Out(a), Last(InShape(a, 0))); break;
                case OpKind.LayerNormGrad: _k.LayerNormGrad(s, In(a, 0), In(a, 1), Out(a), Last(InShape(a, 1))); break;
                case OpKind.Reshape: In(a, 0).CopyTo(s, Out(a)); break;
                case OpKind.Permute: _k.Permute(s, In(a, 0), InShape(a, 0), _permutations[op.Id]!, Out(a)); break;
                case OpKind.Embedding:
                {
                    Shape table = InShape(a, 1);
                    _k.Embedding(s, In(a, 0).Cast<int>(), In(a, 1), FirstRow(op.Inputs[1], a.Device), table[0], table[1], Out(a));
                    break;
                }
                case OpKind.EmbeddingGrad:
                    _k.EmbeddingGrad(s, In(a, 0).Cast<int>(), In(a, 1), FirstRow(op.Output, a.Device), OutShape(a)[1], Out(a));
                    break;
                case OpKind.Dropout: Dropout(s, a, op.Output, op.Args[0], op.Output, piece); break;
                case OpKind.DropoutGrad: Dropout(s, a, op.Output, op.Args[0], (long)op.Args[1], piece); break;
                case OpKind.Slice:
                {
                    var x = InShape(a, 0);
                    int axis = (int)op.Args[0];
                    _k.Slice(s, In(a, 0), Out(a), x[axis], (int)op.Args[1], (int)op.Args[2], Runtime.Kernels.AxisCopy.Inner(x, axis));
                    break;
                }
                case OpKind.SliceGrad:
                {
                    var dy = InShape(a, 0);
                    int axis = (int)op.Args[0];
                    _k.Unslice(s, In(a, 0), Out(a), (int)op.Args[2], (int)op.Args[1], dy[axis], Runtime.Kernels.AxisCopy.Inner(dy, axis));
                    break;
                }
                case OpKind.Concat:
                {
                    int axis = (int)op.Args[0];
                    Shape sa = InShape(a, 0), sb = InShape(a, 1);
                    _k.Concat(s, In(a, 0), sa[axis], In(a, 1), sb[axis], Runtime.Kernels.AxisCopy.Inner(sa, axis), Out(a));
                    break;
                }
                default:
                    throw new InvalidOperationException($"The GPU backend has no kernel for {op.Kind}.");
            }
        }

        /// <summary>The rows of a cross-entropy's whole logits, by which every device's sum is divided.</summary>
        private int Rows(PlanOp op) => (int)(Plan.Tensors[op.Inputs[0]].Shape.Elements / Last(Plan.Tensors[op.Inputs[0]].Shape));

        private ArrayView<float> Norm(PlanOp op, Actor a) => UpdateOp.IsClipped(op.Args) ? In(a, a.Inputs.Length - 1) : default;
        private float MaxNorm(PlanOp op) => UpdateOp.IsClipped(op.Args) ? Optimizer.MaxGradNorm : float.PositiveInfinity;

        private int FirstRow(int tensor, int device)
        {
            var t = Plan.Tensors[tensor];
            return Partition.Offsets(t.Shape, t.Sbp, t.Placement, Plan.DeviceMap.IndexIn(t.Placement, device))[0];
        }

        private void Dropout(AcceleratorStream s, Actor a, int tensor, double p, long key, long piece)
        {
            var t = Plan.Tensors[tensor];
            int index = Plan.DeviceMap.IndexIn(t.Placement, a.Device);
            var strides = new long[t.Shape.Rank];
            long stride = 1;
            for (int i = strides.Length - 1; i >= 0; i--) { strides[i] = stride; stride *= t.Shape[i]; }
            _k.Dropout(s, In(a, 0), Out(a), p, key, piece, Partition.Offsets(t.Shape, t.Sbp, t.Placement, index),
                Partition.LocalShape(t.Shape, t.Sbp, t.Placement, index).ToArray(), strides);
        }

        public void Dispose()
        {
            _engine.Dispose();
            Synchronize();
            _graph.Dispose();
            _order.Dispose();
            foreach (var g in _gemm) g.Dispose();
            foreach (var g in _gathers) g?.Map.Dispose();
            foreach (var b in _scratch) b?.Dispose();
            foreach (var b in _staging) b?.Dispose();
            foreach (var s in _streams) s.Dispose();
            _memory.Dispose();
        }
    }
}
