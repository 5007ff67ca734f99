using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>log(1 + eˣ) (<c>torch.nn.functional.softplus</c>), computed so that it never overflows.</summary>
    internal sealed class SoftplusOp : ElementwiseOp
    {
        public override string UserName => "Softplus";

        /// <summary>dx = dy · σ(x).</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Mul, new[] { dy, ad.Emit(OpKind.Sigmoid, new[] { x }, x) }, x));
        }
    }
}
