using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as GPT-2 uses.</summary>
    public sealed class GeluOp : ElementwiseOp
    {
        [ModuleInitializer] internal static void Register() => OpRegistry.Add(new GeluOp(), new GeluGradOp());

        public override OpKind Kind => OpKind.Gelu;
        public override string UserName => "Gelu";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.GeluGrad, op.Inputs[0]);
    }

    /// <summary>dx = dy · gelu'(x).</summary>
    public sealed class GeluGradOp : ElementwiseGradOp
    {
        public override OpKind Kind => OpKind.GeluGrad;
    }
}
