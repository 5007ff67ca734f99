
namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>tanh(x).</summary>
    internal sealed class TanhOp : ElementwiseOp
    {
        public override string UserName => "Tanh";
        protected override string OnnxOperator => "Tanh";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.TanhGrad, op.Output);
    }

    /// <summary>dx = dy · (1 − y²), from the output y.</summary>
    internal sealed class TanhGradOp : ElementwiseGradOp
    {
    }
}
