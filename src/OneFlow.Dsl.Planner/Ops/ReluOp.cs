using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>max(x, 0). Not linear: a partial sum must be reduced before it.</summary>
    public sealed class ReluOp : OpDef
    {
        public override OpKind Kind => OpKind.Relu;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: false);

        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.ReluGrad, new[] { dy, op.Output }, x));
        }
    }

    /// <summary>dx = dy where y &gt; 0, else 0. Linear in dy, so dy may be a partial sum when y is replicated.</summary>
    public sealed class ReluGradOp : OpDef
    {
        public override OpKind Kind => OpKind.ReluGrad;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (!ShapeOf(g, op, 0).Equals(ShapeOf(g, op, 1)))
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"ReluGrad: dy is {ShapeOf(g, op, 0)} but y is {ShapeOf(g, op, 1)}.");
            return ShapeOf(g, op, 1);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            foreach (var s in ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 2, linear: false)) yield return s;
            yield return new Signature(Sbp.P, Sbp.P, Sbp.B);
        }
    }
}
