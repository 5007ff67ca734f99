using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The transpose of a matrix: a split of rows becomes a split of columns and back.</summary>
    public sealed class TransposeOp : OpDef
    {
        public override OpKind Kind => OpKind.Transpose;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            ExpectRank(g, op, 0, 2, "Transpose");
            var x = ShapeOf(g, op, 0);
            return new Shape(x[1], x[0]);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            yield return new Signature(Sbp.S(1), Sbp.S(0));
            yield return new Signature(Sbp.S(0), Sbp.S(1));
            yield return new Signature(Sbp.B, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.P);
        }

        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Transpose, new[] { dy }, x));
        }
    }
}
