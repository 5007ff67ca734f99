using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>x².</summary>
    internal sealed class SquareOp : ElementwiseOp
    {
        public override string UserName => "Square";

        /// <summary>dx = 2x · dy.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.Mul, new[] { dy, ad.Emit(OpKind.Scale, new[] { x }, x, args: new[] { 2.0 }) }, x));
        }
    }
}
