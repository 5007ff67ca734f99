using OneFlow.Dsl.Planner.Model;
namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>σ(x) = 1 / (1 + e⁻ˣ) (<c>torch.sigmoid</c>).</summary>
    internal sealed class SigmoidOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Sigmoid);
        public override string UserName => "Sigmoid";
        protected override string OnnxOperator => "Sigmoid";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.SigmoidGrad, op.Output);
    }

    /// <summary>dx = dy · y(1 − y), from the output y.</summary>
    internal sealed class SigmoidGradOp : ElementwiseGradOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.SigmoidGrad);
    }
}
