using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>tanh(x).</summary>
    public sealed class TanhOp : ElementwiseOp
    {
        [ModuleInitializer] internal static void Register() => OpRegistry.Add(new TanhOp(), new TanhGradOp());

        public override OpKind Kind => OpKind.Tanh;
        public override string UserName => "Tanh";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.TanhGrad, op.Output);
    }

    /// <summary>dx = dy · (1 − y²), from the output y.</summary>
    public sealed class TanhGradOp : ElementwiseGradOp
    {
        public override OpKind Kind => OpKind.TanhGrad;
    }
}
