using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Dropout(x, p) in training: each element kept with probability 1 − p and scaled by 1/(1 − p). The mask
    /// is a hash of (the output tensor's id, the step, the element's index in the whole tensor), so every device
    /// that holds an element draws the same decision for it, whatever the placement. Inference plans omit it.
    /// Linear in x for a fixed mask, so partial sums pass through.</summary>
    internal sealed class DropoutOp : ElementwiseOp
    {
        public override string UserName => "Dropout";
        /// <summary>An exported model evaluates, and evaluation keeps every unit.</summary>
        protected override string OnnxOperator => "Identity";
        public override bool IsIdentityWhenInferring => true;
        protected override bool Linear => true;

        public static double Probability(IOpAttributes op) => op.Args[0];

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (op.Args.Length != 1 || !(op.Args[0] >= 0 && op.Args[0] < 1))
                throw Mismatch(op, "Dropout: write Dropout(x, p) with a constant probability p in [0, 1).");
            return ShapeOf(g, op, 0);
        }

        /// <summary>dx = dy under the same mask: the gradient op gets p and the forward output's id, which keys the mask.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.DropoutGrad, new[] { dy }, x, args: new[] { Probability(op), op.Output }));
        }
    }

    /// <summary>The gradient of <see cref="DropoutOp"/>: dy under the forward op's mask.</summary>
    internal sealed class DropoutGradOp : GradientOp
    {

        /// <summary>p, and the id of the forward output, which keys the mask.</summary>
        public static (double P, int MaskOf) Attributes(IOpAttributes op) => (op.Args[0], (int)op.Args[1]);

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override System.Collections.Generic.IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: true);
    }
}
