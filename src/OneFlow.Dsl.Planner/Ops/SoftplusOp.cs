using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>log(1 + eˣ), computed without overflow (x itself above 20, as <c>torch.nn.functional.softplus</c>).</summary>
    internal sealed class SoftplusOp : ElementwiseOp
    {
        public override string UserName => "Softplus";

        /// <summary>dx = dy · σ(x), σ's part of the gradient computed as 1 / (1 + e⁻ˣ) = Reciprocal(Exp(−x) + 1).</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            int expNeg = ad.Emit(OpKind.Exp, new[] { ad.Emit(OpKind.Neg, new[] { x }, x) }, x);
            int sigmoid = ad.Emit(OpKind.Reciprocal, new[] { ad.Emit(OpKind.AddScalar, new[] { expNeg }, x, args: new[] { 1.0 }) }, x);
            ad.Accumulate(x, ad.Emit(OpKind.Mul, new[] { dy, sigmoid }, x));
        }
    }
}
