using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Dropout(x, p) in training: each element kept with probability 1 − p and scaled by 1/(1 − p). The mask
    /// is a hash of (the output tensor's id, the step, the element's index in the whole tensor), so every device
    /// that holds an element draws the same decision for it, whatever the placement. Inference plans omit it.</summary>
    public sealed class DropoutOp : OpDef
    {
        public override OpKind Kind => OpKind.Dropout;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (op.Args.Length != 1 || !(op.Args[0] >= 0 && op.Args[0] < 1))
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, "Dropout: write Dropout(x, p) with a constant probability p in [0, 1).");
            return ShapeOf(g, op, 0);
        }

        /// <summary>Linear in x for a fixed mask, so partial sums pass through.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: true);

        /// <summary>dx = dy under the same mask: the gradient op gets p and the forward output's id, which keys the mask.</summary>
        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.DropoutGrad, new[] { dy }, x, args: new[] { op.Args[0], op.Output }));
        }
    }

    /// <summary>The gradient of <see cref="DropoutOp"/>; args: p and the id of the forward output keying the mask.</summary>
    public sealed class DropoutGradOp : OpDef
    {
        public override OpKind Kind => OpKind.DropoutGrad;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: true);
    }
}
