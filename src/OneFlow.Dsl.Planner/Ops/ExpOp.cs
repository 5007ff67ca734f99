using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>eˣ.</summary>
    internal sealed class ExpOp : ElementwiseOp
    {
        public override string UserName => "Exp";

        /// <summary>dx = dy · y.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Mul, new[] { dy, op.Output }, x));
        }
    }
}
