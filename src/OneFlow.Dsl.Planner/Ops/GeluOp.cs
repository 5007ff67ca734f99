using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as GPT-2 uses.</summary>
    internal sealed class GeluOp : ElementwiseOp
    {
        public override string UserName => "Gelu";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.GeluGrad, op.Inputs[0]);
    }

    /// <summary>dx = dy · gelu'(x).</summary>
    internal sealed class GeluGradOp : ElementwiseGradOp
    {
    }
}
