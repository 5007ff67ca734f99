using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>a / b elementwise, broadcasting as <see cref="AddOp"/> (<c>torch.div</c>). Linear in a only, so a
    /// partial numerator may pass over a whole denominator.</summary>
    internal sealed class DivOp : OpDef
    {
        public override string UserName => "Div";
        protected override string OnnxOperator => "Div";
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => BroadcastShapes.Infer(g, op, "Div");

        public override string[] Operands => new[] { "a", "b" };
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            foreach (var s in BroadcastShapes.Signatures(c, linear: false, scales: false)) yield return s;
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }

        /// <summary>da = dy / b; db = −(dy / b) · y, since y = a / b makes −a / b² = −y / b.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int a = op.Inputs[0], b = op.Inputs[1];
            int quotient = ad.Div(dy, b, ad.NeedsGradient(a) ? a : b);
            if (ad.NeedsGradient(a)) ad.Accumulate(a, ad.SumToShape(quotient, a));
            if (ad.NeedsGradient(b)) ad.Accumulate(b, ad.SumToShape(ad.Neg(ad.Mul(quotient, op.Output, b), b), b));
        }
    }
}
