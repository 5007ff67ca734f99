using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Plan
{
    /// <summary>A logical tensor as the plan records it.</summary>
    public sealed record PlanTensor(int Id, string Name, Shape Shape, DType DType, TensorRole Role, NdSbp Sbp, int GradientOf, Placement Placement)
    {
        public long Bytes => Shape.Elements * 4;

        /// <summary>Elements per counted row of a tensor made of counted blocks (<see cref="Ops.OpDef.RaggedRow"/>); 0 when
        /// a transfer moves it whole.</summary>
        public int RaggedRow { get; init; }
    }

    /// <summary>A logical op after SBP selection; boxing ops included. <see cref="Source"/> is where a boxing op
    /// reads from: another placement than its own for a transfer, else its own.</summary>
    public sealed record PlanOp(int Id, OpKind Kind, int[] Inputs, int Output, OpAttributes? Attributes, string Origin, Placement Placement, Placement Source) : IOpAttributes
    {
        /// <summary>Which conversion a boxing op is; worked out once, as the runtime asks at every act.</summary>
        public Collective Collective { get; } = Kind == OpKind.Boxing
            ? Collectives.KindOf(((BoxingAttributes)Attributes!).From, Source, ((BoxingAttributes)Attributes!).To, Placement) : Collective.None;

        /// <summary>The SBP a boxing op converts from and to.</summary>
        internal BoxingAttributes Sbps => BoxingOp.Attributes(this);

        /// <summary>A boxing op whose devices exchange data (a collective or a transfer): its actors meet, and the last
        /// to arrive moves the data for all.</summary>
        public bool IsRendezvous => Kind == OpKind.Boxing && !Collectives.IsLocal(Collective);

        /// <summary>An optimizer's in-place update of a weight.</summary>
        public bool IsUpdate => OpRegistry.Get(Kind) is UpdateOp;

        /// <summary>An update whose gradient is scaled down to the global norm; its last operand is the squared norm.</summary>
        public bool IsClipped => IsUpdate && UpdateOp.IsClipped(this);

        /// <summary>True for the ops a session carries out itself (feeds, boxing); every other op runs a kernel.</summary>
        public bool RunsAsKernel => OpRegistry.Get(Kind).RunsAsKernel;
    }

    /// <summary>One instance of a logical op on one device: the unit the runtime schedules. <see cref="Workspace"/> is
    /// the register of the kernel's scratch memory (a convolution's unfolded input), −1 where it needs none.</summary>
    public sealed record Actor(int Id, int Device, int Op, int[] Inputs, int[] Controls, int Output, int Workspace = -1);

    /// <summary>A device's part of a logical tensor: a region of the device's arena with <see cref="Slots"/>
    /// copies, so that a producer may run ahead of its consumers by that many pieces. A workspace belongs to no tensor
    /// (<see cref="Tensor"/> −1): its producer alone uses it, while it runs.</summary>
    public sealed record Register(int Id, int Device, int Tensor, Shape LocalShape, int Slots, long Offset, bool Persistent, int Producer)
    {
        /// <summary>Bytes of one slot, rounded up so that every slot starts on a cache line.</summary>
        public long SlotBytes => Align(LocalShape.Elements * 4);

        /// <summary>Bytes to a cache line: every slot, and so every kernel's operand, starts on one.</summary>
        public const int Alignment = 64;

        public static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;
        public long Bytes => SlotBytes * Slots;
    }

    public sealed class Plan
    {
        public string Network { get; }
        public PlanMode Mode { get; }
        /// <summary>The network's placement: where everything runs that no weight or input was placed elsewhere.</summary>
        public Placement Placement { get; }
        /// <summary>Every device of every placement in the plan, numbered as actors and registers number them.</summary>
        public DeviceMap DeviceMap { get; }
        public int Devices => DeviceMap.Count;
        public IReadOnlyList<PlanTensor> Tensors { get; }
        public IReadOnlyList<PlanOp> Ops { get; }
        public IReadOnlyList<Actor> Actors { get; }
        public IReadOnlyList<Register> Registers { get; }
        /// <summary>Peak bytes of each device's arena: the memory the device needs, known before it runs.</summary>
        public IReadOnlyList<long> ArenaBytes { get; }
        /// <summary>The loss of a training plan (its mean over the micro-batches), the network's output of an inference plan.</summary>
        public int Output { get; }

        /// <summary>Pieces per step: a training step's micro-batches (1 without gradient accumulation).</summary>
        public int MicroBatches { get; }

        public Plan(string network, PlanMode mode, Placement placement, IReadOnlyList<PlanTensor> tensors, IReadOnlyList<PlanOp> ops,
            IReadOnlyList<Actor> actors, IReadOnlyList<Register> registers, IReadOnlyList<long> arenaBytes, int output, int microBatches = 1)
        {
            Network = network; Mode = mode; Placement = placement; Tensors = tensors; Ops = ops;
            Actors = actors; Registers = registers; ArenaBytes = arenaBytes; Output = output; MicroBatches = microBatches;
            DeviceMap = new DeviceMap(Placements);
            _registerIndex = registers.Where(r => r.Tensor >= 0).ToDictionary(r => (r.Tensor, r.Device), r => r.Id);
            var byOp = actors.GroupBy(a => a.Op).ToDictionary(g => g.Key, g => (IReadOnlyList<Actor>)g.OrderBy(a => a.Device).ToList());
            _actorsByOp = ops.Select(o => byOp.TryGetValue(o.Id, out var list) ? list : new Actor[0]).ToArray();
        }

        private readonly Dictionary<(int Tensor, int Device), int> _registerIndex;
        private readonly IReadOnlyList<Actor>[] _actorsByOp;

        /// <summary>What the planner found suspicious but could plan; not part of the plan text.</summary>
        public IReadOnlyList<PlanWarning> Warnings { get; internal set; } = new PlanWarning[0];

        /// <summary>The bytes each device may hold, as the network declared (0: no limit); not part of the plan text.</summary>
        public long MemoryBudget { get; internal set; }

        /// <summary>The modules whose activations the backward pass recomputes to meet the budget, and how many ops
        /// that adds; not part of the plan text (the ops are).</summary>
        public IReadOnlyList<string> Recomputed { get; internal set; } = new string[0];
        public int RecomputedOps { get; internal set; }

        /// <summary>The register holding device <paramref name="device"/>'s part of <paramref name="tensor"/>.</summary>
        public Register RegisterOf(int tensor, int device)
            => _registerIndex.TryGetValue((tensor, device), out int r) ? Registers[r]
                : Tensors[tensor].Role == TensorRole.Fused
                    ? throw new System.InvalidOperationException($"{Tensors[tensor].Name} is computed inside a fused kernel and never stored; plan with fuse: false to read it.")
                    : throw new KeyNotFoundException($"{Tensors[tensor].Name} has no part on device {device}.");

        /// <summary>True for an actor whose output the memory plan gave its input's bytes (a reshape of a step's value,
        /// <see cref="Ops.OpDef.IsView"/>): there is nothing for it to do.</summary>
        public bool IsView(Actor a)
            => a.Output >= 0 && a.Inputs.Length == 1 && OpRegistry.Get(Ops[a.Op].Kind).IsView && Registers[a.Output].Offset == Registers[a.Inputs[0]].Offset;

        /// <summary>The actors of one op, one per device it runs on, in device order: a collective's participants.</summary>
        public IReadOnlyList<Actor> ActorsOf(int op) => _actorsByOp[op];

        /// <summary>Every placement the plan's tensors live on, the network's first.</summary>
        public IEnumerable<Placement> Placements => PlacementsOf(Placement, Tensors.Select(t => t.Placement));

        public static IEnumerable<Placement> PlacementsOf(Placement network, IEnumerable<Placement> tensors) => new[] { network }.Concat(tensors).Distinct();

        public IEnumerable<PlanTensor> Weights => Tensors.Where(t => t.Role == TensorRole.Weight);

        /// <summary>The network's state: its weights and its buffers, which a runner loads into the devices and reads back.</summary>
        public IEnumerable<PlanTensor> State => Tensors.Where(t => t.Role == TensorRole.Weight || t.Role == TensorRole.Buffer);

        public IEnumerable<PlanOp> Inputs => Ops.Where(o => o.Kind == OpKind.Input);

        /// <summary>What the host feeds for an input in one step: the rows of all its micro-batches.</summary>
        public Shape StepShape(PlanTensor input)
        {
            if (MicroBatches == 1) return input.Shape;
            var dims = input.Shape.ToArray();
            dims[0] *= MicroBatches;
            return new Shape(dims);
        }

        /// <summary>Per op, whether it runs once per step rather than once per micro-batch: everything downstream of
        /// an accumulation (gradient collectives, clipping, updates). In the other pieces of a step it does nothing.</summary>
        public bool[] OncePerStep()
        {
            var once = new bool[Ops.Count];
            var after = new HashSet<int>();
            foreach (var op in Ops)
            {
                if (op.Kind == OpKind.Accumulate) { if (op.Output >= 0) after.Add(op.Output); continue; }
                if (!op.Inputs.Any(after.Contains)) continue;
                once[op.Id] = true;
                if (op.Output >= 0) after.Add(op.Output);
            }
            return once;
        }

        /// <summary>Every actor that reads register <paramref name="register"/>, as data or as a control input.</summary>
        public IEnumerable<Actor> ConsumersOf(int register) => Actors.Where(a => a.Inputs.Contains(register) || a.Controls.Contains(register));
    }
}
