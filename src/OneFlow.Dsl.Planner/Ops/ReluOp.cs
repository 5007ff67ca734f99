
namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>max(x, 0). Not linear: a partial sum must be reduced before it.</summary>
    internal sealed class ReluOp : ElementwiseOp
    {
        public override string UserName => "Relu";
        protected override string OnnxOperator => "Relu";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.ReluGrad, op.Output);
    }

    /// <summary>dx = dy where y &gt; 0, else 0.</summary>
    internal sealed class ReluGradOp : ElementwiseGradOp
    {
    }
}
