namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>A trained weight, a buffer (state kept but not trained: running statistics), a float input, or an
    /// input of integer ids (token or category indices).</summary>
    public enum DeclKind { Weight, Input, Ids, Buffer }

    /// <summary>A weight, buffer or input of a network as the user declared it.
    /// <see cref="Dims"/> of an input exclude the batch dimension, which the planner prepends.</summary>
    public sealed record TensorDecl(string Name, DeclKind Kind, EquatableArray<int> Dims, string? Sbp)
    {
        /// <summary>Where this weight lives or this input is fed, when not on the network's placement; an input
        /// left without one is fed where its first consumer runs.</summary>
        public string? Placement { get; init; }

        /// <summary>A weight's starting value for every element, instead of the seeded draw (null: the draw).</summary>
        public double? Fill { get; init; }

        /// <summary>How a weight is drawn, a member of <c>OneFlow.Dsl.Init</c> (null: the default draw), and its
        /// scale: a normal draw's standard deviation or a uniform draw's bound.</summary>
        public string? Init { get; init; }
        public double Scale { get; init; }
    }

    /// <summary>One statement of Forward (or Loss) in static single-assignment form:
    /// <c>Output = Op(Inputs...)</c>. <see cref="Op"/> is an op name of <see cref="Ops.OpKind"/>.</summary>
    public sealed record OpDecl(string Output, string Op, EquatableArray<string> Inputs)
    {
        /// <summary>Constant arguments after the tensors, e.g. a dropout probability.</summary>
        public EquatableArray<double> Args { get; init; }

        /// <summary>Where the op runs when it was written inside a module placed by its field or stage; null where
        /// the placement rules decide.</summary>
        public string? Placement { get; init; }

        /// <summary>The module instance the statement was written in ("blocks.2"); null in the network's own Forward.
        /// A module is what the planner recomputes whole in the backward pass to meet a memory budget.</summary>
        public string? Module { get; init; }
    }

    /// <summary>Everything the planner needs to know about a network, and nothing else: plain, equatable data
    /// that the generator reads from the annotated class and the runtime can rebuild. <see cref="Weights"/> holds the
    /// network's state: its weights and its buffers, each declaration's kind saying which.</summary>
    public sealed record NetworkSpec(
        string Name,
        int Batch,
        string Placement,
        EquatableArray<TensorDecl> Weights,
        EquatableArray<TensorDecl> Inputs,
        EquatableArray<OpDecl> Forward,
        string ForwardOutput,
        EquatableArray<OpDecl> Loss,
        string LossOutput)
    {
        /// <summary>The shape of one sample's labels: empty for one class id per sample; [64] for a class id per
        /// token of a 64-token sequence (declared on Loss's labels parameter, as [Input(64)]).</summary>
        public EquatableArray<int> LabelDims { get; init; }

        /// <summary>True when the labels are marked [Ids]: integers whatever the loss does with them. Otherwise they
        /// are integers only where the loss hands them to SoftmaxCrossEntropy, and float targets elsewhere.</summary>
        public bool LabelIds { get; init; }

        /// <summary>How many pieces a training step splits its batch into (gradient accumulation): the plan is built
        /// for Batch / MicroBatches rows, and pipeline stages work on different micro-batches at once.</summary>
        public int MicroBatches { get; init; } = 1;

        /// <summary>How the training plan updates the weights, unless the planner is told otherwise.</summary>
        public UpdateRule Update { get; init; } = UpdateRule.Sgd;

        /// <summary>True when the training plan clips the gradients by their global norm.</summary>
        public bool Clip { get; init; }

        /// <summary>Join chains of elementwise ops into one kernel each (the fusion pass; true unless turned off): false plans
        /// every op as written, to compare with or to read a value fusion never stores.</summary>
        public bool Fuse { get; init; } = true;

        /// <summary>Bytes each device may hold (0: no limit). A training plan over it recomputes modules' activations
        /// in the backward pass instead of keeping them, the first modules first, until it fits.</summary>
        public long MemoryBudget { get; init; }

        /// <summary>The name of the training plan's input for Loss's second parameter: class labels or targets.</summary>
        public const string LabelsName = "labels";

        /// <summary>The default loss: softmax cross-entropy of Forward's output against integer labels.</summary>
        public static EquatableArray<OpDecl> DefaultLoss(string forwardOutput)
            => EquatableArray.Of(new OpDecl("loss", "SoftmaxCrossEntropy", EquatableArray.Of(forwardOutput, LabelsName)));

        public NetworkSpec WithPlacement(string placement) => this with { Placement = placement };

        /// <summary>The network with weight or buffer <paramref name="name"/> of another size (a table's rows set at run
        /// time); a network class built from it draws that weight at this size.</summary>
        public NetworkSpec WithWeight(string name, params int[] dims)
        {
            if (!System.Linq.Enumerable.Any(Weights, w => w.Name == name))
                throw new System.ArgumentException($"{Name} has no weight '{name}'; its weights are {string.Join(", ", System.Linq.Enumerable.Select(Weights, w => w.Name))}.", nameof(name));
            return this with { Weights = Map(Weights, w => w.Name == name ? w with { Dims = new EquatableArray<int>(dims) } : w) };
        }

        /// <summary>The network with every placement (its own, its weights', inputs' and modules') on devices of
        /// type <paramref name="deviceType"/>: "cuda" runs a CPU network's plan, stages and all, on GPUs.</summary>
        public NetworkSpec OnDeviceType(string deviceType)
        {
            string? On(string? placement) => placement == null ? null : Model.Placement.Parse(placement).OnDeviceType(deviceType).ToString();
            return this with
            {
                Placement = On(Placement)!,
                Weights = Map(Weights, w => w with { Placement = On(w.Placement) }),
                Inputs = Map(Inputs, x => x with { Placement = On(x.Placement) }),
                Forward = Map(Forward, o => o with { Placement = On(o.Placement) }),
                Loss = Map(Loss, o => o with { Placement = On(o.Placement) }),
            };
        }

        /// <summary>The network with every weight and input on <paramref name="placement"/>: its stages and other
        /// placements of single weights dropped (what a pipelined network is checked against).</summary>
        public NetworkSpec WithOnePlacement(string placement) => this with
        {
            Placement = placement,
            Weights = Map(Weights, w => w with { Placement = null }),
            Inputs = Map(Inputs, x => x with { Placement = null }),
            Forward = Map(Forward, o => o with { Placement = null }),
            Loss = Map(Loss, o => o with { Placement = null }),
        };

        private static EquatableArray<T> Map<T>(EquatableArray<T> items, System.Func<T, T> change) where T : System.IEquatable<T>
            => new EquatableArray<T>(System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(items, change)));
    }
}
