namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>A trained weight, a float input, or an input of integer ids (token or category indices).</summary>
    public enum DeclKind { Weight, Input, Ids }

    /// <summary>A weight or input field of a network as the user declared it.
    /// <see cref="Dims"/> of an input exclude the batch dimension, which the planner prepends.</summary>
    public sealed record TensorDecl(string Name, DeclKind Kind, EquatableArray<int> Dims, string? Sbp)
    {
        /// <summary>Where this weight lives or this input is fed, when not on the network's placement; an input
        /// left without one is fed where its first consumer runs.</summary>
        public string? Placement { get; init; }
    }

    /// <summary>One statement of Forward (or Loss) in static single-assignment form:
    /// <c>Output = Op(Inputs...)</c>. <see cref="Op"/> is an op name of <see cref="Ops.OpKind"/>.</summary>
    public sealed record OpDecl(string Output, string Op, EquatableArray<string> Inputs)
    {
        /// <summary>Constant arguments after the tensors, e.g. a dropout probability.</summary>
        public EquatableArray<double> Args { get; init; }
    }

    /// <summary>Everything the planner needs to know about a network, and nothing else: plain, equatable data
    /// that the generator reads from the annotated class and the runtime can rebuild.</summary>
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
        /// <summary>The name of the integer class-label input of the training plan.</summary>
        public const string LabelsName = "labels";

        /// <summary>The default loss: softmax cross-entropy of Forward's output against integer labels.</summary>
        public static EquatableArray<OpDecl> DefaultLoss(string forwardOutput)
            => EquatableArray.Of(new OpDecl("loss", "SoftmaxCrossEntropy", EquatableArray.Of(forwardOutput, LabelsName)));

        public NetworkSpec WithPlacement(string placement) => this with { Placement = placement };
    }
}
