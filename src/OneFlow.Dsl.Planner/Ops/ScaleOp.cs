using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Scale(x, c): every element times a constant, as attention's 1/√d. Its own gradient: dx = c·dy.</summary>
    public sealed class ScaleOp : OpDef
    {
        public override OpKind Kind => OpKind.Scale;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (op.Args.Length != 1 || double.IsNaN(op.Args[0]) || double.IsInfinity(op.Args[0]))
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, "Scale: write Scale(x, c) with a finite constant c.");
            return ShapeOf(g, op, 0);
        }

        /// <summary>Linear, so partial sums pass through.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: true);

        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Scale, new[] { dy }, x, args: new[] { op.Args[0] }));
        }
    }
}
