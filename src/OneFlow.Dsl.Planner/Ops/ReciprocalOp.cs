using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>1 / x (<c>torch.reciprocal</c>); <c>c / x</c> lowers to it, scaled.</summary>
    internal sealed class ReciprocalOp : ElementwiseOp
    {
        public override string UserName => "Reciprocal";

        /// <summary>dx = −dy · y².</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            int dyY = ad.Emit(OpKind.Mul, new[] { dy, op.Output }, x);
            ad.Accumulate(x, ad.Emit(OpKind.Neg, new[] { ad.Emit(OpKind.Mul, new[] { dyY, op.Output }, x) }, x));
        }
    }
}
