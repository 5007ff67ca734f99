using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as GPT-2 uses.</summary>
    public sealed class GeluOp : OpDef
    {
        public override OpKind Kind => OpKind.Gelu;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: false);

        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.GeluGrad, new[] { dy, x }, x));
        }
    }

    /// <summary>dx = dy · gelu'(x); linear in dy.</summary>
    public sealed class GeluGradOp : OpDef
    {
        public override OpKind Kind => OpKind.GeluGrad;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            foreach (var s in ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 2, linear: false)) yield return s;
            yield return new Signature(Sbp.P, Sbp.P, Sbp.B);
        }
    }
}
