using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>|x|.</summary>
    internal sealed class AbsOp : ElementwiseOp
    {
        public override string UserName => "Abs";

        /// <summary>dx = dy · sign(x): 0 at 0, as PyTorch's.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Mul, new[] { dy, ad.Emit(OpKind.Sign, new[] { x }, x) }, x));
        }
    }

    /// <summary>−1, 0 or 1 by the sign of x: the slope of <see cref="AbsOp"/>.</summary>
    internal sealed class SignOp : ElementwiseOp
    {
        public override string NotDifferentiable => "it is the slope of Abs, made only by Abs's gradient";
    }
}
