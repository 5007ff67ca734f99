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

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            foreach (var s in BroadcastShapes.Signatures(g, op, linear: false, scales: false)) yield return s;
            yield return new Signature(Sbp.P, Sbp.P, Sbp.B);
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
