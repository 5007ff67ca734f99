using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>√x (NaN below 0, as <c>torch.sqrt</c>).</summary>
    internal sealed class SqrtOp : ElementwiseOp
    {
        public override string UserName => "Sqrt";

        /// <summary>dx = dy / (2y), from the output y.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.Scale, new[] { ad.Emit(OpKind.Div, new[] { dy, op.Output }, x) }, x, args: new[] { 0.5 }));
        }
    }
}
