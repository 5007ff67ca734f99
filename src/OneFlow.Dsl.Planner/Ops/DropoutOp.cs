using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Dropout(x, p) in training: each element kept with probability 1 − p and scaled by 1/(1 − p). The mask
    /// is a hash of (the output tensor's id, the step, the element's index in the whole tensor), so every device
    /// that holds an element draws the same decision for it, whatever the placement. Inference plans omit it.
    /// Linear in x for a fixed mask, so partial sums pass through.</summary>
    internal sealed record DropoutAttributes(double P) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("p", P);
    }

    internal sealed class DropoutOp : ElementwiseOp
    {
        public override string UserName => "Dropout";
        /// <summary>An exported model evaluates, and evaluation keeps every unit.</summary>
        protected override string OnnxOperator => "Identity";
        public override bool IsIdentityWhenInferring => true;
        protected override bool Linear => true;

        public static double Probability(IOpAttributes op) => op.Get<DropoutAttributes>().P;

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 && args[0] >= 0 && args[0] < 1 ? new DropoutAttributes(args[0])
                : throw BadCall(subject, "Dropout: write Dropout(x, p) with a constant probability p in [0, 1).");

        public override OpAttributes ReadAttributes(AttributeReader r) => new DropoutAttributes(r.Double("p"));

        /// <summary>Recomputed, it applies the mask the original drew: its gradient kernel keyed by the original output does.</summary>
        public override (OpKind Kind, OpAttributes? Attributes) Recomputed(LogicalOp op) => (OpKind.DropoutGrad, new DropoutGradAttributes(Probability(op), op.Output));

        /// <summary>dx = dy under the same mask: the gradient op gets p and the forward output's id, which keys the mask.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.DropoutGrad, new[] { dy }, x, new DropoutGradAttributes(Probability(op), op.Output)));
        }
    }

    /// <summary>p, and the id of the forward output, which keys the mask.</summary>
    internal sealed record DropoutGradAttributes(double P, int MaskOf) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("p", P).Int("maskOf", MaskOf);
    }

    /// <summary>The gradient of <see cref="DropoutOp"/>: dy under the forward op's mask.</summary>
    internal sealed class DropoutGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy" };

        public static DropoutGradAttributes Attributes(IOpAttributes op) => op.Get<DropoutGradAttributes>();
        public override OpAttributes ReadAttributes(AttributeReader r) => new DropoutGradAttributes(r.Double("p"), r.Int("maskOf"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override System.Collections.Generic.IEnumerable<Signature> Signatures(SignatureContext c) => ElementwiseSignatures(c.Input("dy").Rank, 1, linear: true);
    }
}
