using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    internal sealed class LogicalTensor
    {
        public int Id { get; internal set; }
        public string Name { get; internal set; } = "";
        public Shape Shape { get; internal set; } = Shape.Scalar;
        public DType DType { get; internal set; }
        public TensorRole Role { get; internal set; }
        /// <summary>Chosen by SBP selection (fixed up front for annotated weights and inputs).</summary>
        public NdSbp Sbp { get; internal set; }
        /// <summary>A weight, input or labels tensor with no annotation: SBP selection chooses its layout.</summary>
        public bool Free { get; internal set; }
        /// <summary>The devices holding the tensor: its producer's, or the declared placement of a weight or input.</summary>
        public Placement Placement { get; internal set; } = null!;
        /// <summary>The op that writes this tensor; -1 for weights, which persist across steps.</summary>
        public int Producer { get; internal set; } = -1;
        /// <summary>For a weight's gradient: the weight's tensor id, else -1.</summary>
        public int GradientOf { get; internal set; } = -1;
        /// <summary>For an optimizer state: the weight it belongs to, whose layout it always has (so its update is
        /// local to each shard: ZeRO-1 style sharding wherever the weight is split), else -1.</summary>
        public int TiedTo { get; internal set; } = -1;
        public long Bytes => Shape.Elements * 4;

        /// <summary>A weight or a buffer: the network's state, which persists across steps and never moves.</summary>
        public bool IsState => Role == TensorRole.Weight || Role == TensorRole.Buffer;
    }

    internal sealed class LogicalOp : IOpAttributes
    {
        public int Id { get; internal set; }
        public OpKind Kind { get; internal set; }
        public int[] Inputs { get; internal set; } = System.Array.Empty<int>();
        /// <summary>The output tensor id, or -1 for an op that only updates state in place (SgdUpdate).</summary>
        public int Output { get; internal set; } = -1;
        /// <summary>The op's constants, read through its definition's typed accessor; null for an op without any.</summary>
        public OpAttributes? Attributes { get; internal set; }
        /// <summary>The devices the op runs on; a boxing op's input may live elsewhere (a transfer between placements).</summary>
        public Placement Placement { get; internal set; } = null!;
        /// <summary>Ops that must finish before this one although it reads none of their outputs
        /// (an in-place weight update waits for every reader of the weight).</summary>
        public List<int> ControlDeps { get; } = new List<int>();
        /// <summary>The module instance whose Forward wrote the op ("blocks.2"), or whose op a boxing op feeds; null
        /// for the network's own ops and for everything autograd and the optimizer add.</summary>
        public string? Module { get; internal set; }

        /// <summary>Where the op came from, for messages: "h = Relu(...)", "grad of w1", "boxing".</summary>
        public string Origin { get; internal set; } = "";
        /// <summary>What an error about this op should point at: the statement's output name for ops the user
        /// wrote, else <see cref="Origin"/>.</summary>
        public string Subject { get => _subject ?? Origin; internal set => _subject = value; }
        private string? _subject;
    }

    /// <summary>The network as one dataflow graph over logical (whole, unsharded) tensors.</summary>
    internal sealed class LogicalGraph
    {
        public List<LogicalTensor> Tensors { get; } = new List<LogicalTensor>();
        public List<LogicalOp> Ops { get; } = new List<LogicalOp>();

        public LogicalTensor Tensor(int id) => Tensors[id];

        /// <summary>For each tensor the loss depends on through a weight, its gradient (the sum of every part), as
        /// autograd left it.</summary>
        public Dictionary<int, int> Gradients { get; } = new Dictionary<int, int>();

        /// <summary>Makes <paramref name="order"/> (the graph's ops, each once, producers before readers) the order of
        /// the ops: ids, producers and control dependencies follow.</summary>
        public void Reorder(IReadOnlyList<LogicalOp> order)
        {
            var id = new Dictionary<int, int>();
            for (int i = 0; i < order.Count; i++) id[order[i].Id] = i;
            Ops.Clear();
            foreach (var op in order)
            {
                op.Id = Ops.Count;
                for (int k = 0; k < op.ControlDeps.Count; k++) op.ControlDeps[k] = id[op.ControlDeps[k]];
                Ops.Add(op);
                if (op.Output >= 0) Tensor(op.Output).Producer = op.Id;
            }
        }

        public LogicalTensor AddTensor(string name, Shape shape, DType dtype, TensorRole role)
        {
            var t = new LogicalTensor { Id = Tensors.Count, Name = name, Shape = shape, DType = dtype, Role = role };
            Tensors.Add(t);
            return t;
        }

        /// <summary>Appends an op, infers its output shape and creates its output tensor.</summary>
        public LogicalOp AddOp(OpKind kind, int[] inputs, string outputName, TensorRole role, string origin, Placement placement,
            OpAttributes? attributes = null, string? subject = null)
        {
            var op = new LogicalOp { Id = Ops.Count, Kind = kind, Inputs = inputs, Origin = origin, Placement = placement, Attributes = attributes };
            if (subject != null) op.Subject = subject;
            Ops.Add(op);
            var def = OpRegistry.Get(kind);
            RefuseMasks(def, op);
            if (def.HasOutput)
            {
                var output = AddTensor(outputName, def.InferShape(this, op), def.OutputType(this, op), role);
                output.Producer = op.Id;
                output.Placement = placement;
                op.Output = output.Id;
            }
            return op;
        }

        private void RefuseMasks(OpDef def, LogicalOp op)
        {
            for (int i = 0; i < op.Inputs.Length; i++)
                if (Tensor(op.Inputs[i]).DType == DType.Bool && !def.TakesMask(i))
                    throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                        $"{def.UserName ?? def.Kind.ToString()}: {Tensor(op.Inputs[i]).Name} is a boolean mask (a comparison's); masks go to Where or MaskedFill.");
        }

        /// <summary>Appends an op as a user wrote it: its constant arguments <paramref name="args"/> become the kind's
        /// attributes (checked, errors pointing at <paramref name="subject"/>).</summary>
        public LogicalOp AddCall(OpKind kind, int[] inputs, string outputName, TensorRole role, string origin, Placement placement, string subject, double[] args)
            => AddOp(kind, inputs, outputName, role, origin, placement, OpRegistry.Get(kind).FromCall(subject, args), subject);

        public IEnumerable<LogicalOp> Consumers(int tensorId)
        {
            foreach (var op in Ops)
                if (System.Array.IndexOf(op.Inputs, tensorId) >= 0) yield return op;
        }
    }
}
