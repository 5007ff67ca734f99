using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The natural logarithm (NaN below 0 and −∞ at 0, as <c>torch.log</c>).</summary>
    internal sealed class LogOp : ElementwiseOp
    {
        public override string UserName => "Log";

        /// <summary>dx = dy / x.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Div, new[] { dy, x }, x));
        }
    }
}
