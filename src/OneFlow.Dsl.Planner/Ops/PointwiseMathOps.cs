using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    // The math functions element by element (PyTorch's names and semantics: NaN outside a domain). None is linear;
    // each gradient but tanh's is made of other ops, so none other has a gradient kernel of its own.

    /// <summary>tanh(x).</summary>
    internal sealed class TanhOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Tanh);
        public override string UserName => "Tanh";
        protected override string OnnxOperator => "Tanh";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.TanhGrad, op.Output);
    }

    /// <summary>dx = dy · (1 − y²), from the output y.</summary>
    internal sealed class TanhGradOp : ElementwiseGradOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.TanhGrad);
    }

    /// <summary>eˣ; dx = dy · y.</summary>
    internal sealed class ExpOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Exp);
        public override string UserName => "Exp";
        protected override string OnnxOperator => "Exp";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Mul(dy, op.Output, x));
    }

    /// <summary>The natural logarithm; dx = dy / x.</summary>
    internal sealed class LogOp : ElementwiseOp
    {
        public override string UserName => "Log";
        protected override string OnnxOperator => "Log";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Div(dy, x, x));
    }

    /// <summary>√x; dx = dy / (2y).</summary>
    internal sealed class SqrtOp : ElementwiseOp
    {
        public override string UserName => "Sqrt";
        protected override string OnnxOperator => "Sqrt";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Scale(ad.Div(dy, op.Output, x), 0.5, x));
    }

    /// <summary>x²; dx = dy · 2x.</summary>
    internal sealed class SquareOp : ElementwiseOp
    {
        public override string UserName => "Square";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Mul", new[] { w.Input(0), w.Input(0) });

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Mul(dy, ad.Scale(x, 2, x), x));
    }

    /// <summary>1 / x; dx = −dy · y². <c>c / x</c> lowers to it, scaled.</summary>
    internal sealed class ReciprocalOp : ElementwiseOp
    {
        public override string UserName => "Reciprocal";
        protected override string OnnxOperator => "Reciprocal";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Neg(ad.Mul(ad.Mul(dy, op.Output, x), op.Output, x), x));
    }

    /// <summary>|x|; dx = dy · sign(x), 0 at 0 as PyTorch's.</summary>
    internal sealed class AbsOp : ElementwiseOp
    {
        public override string UserName => "Abs";
        protected override string OnnxOperator => "Abs";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Mul(dy, ad.Emit(OpKind.Sign, new[] { x }, x), x));
    }

    /// <summary>−1, 0 or 1 by the sign of x: the slope of <see cref="AbsOp"/>.</summary>
    internal sealed class SignOp : ElementwiseOp
    {
        protected override string OnnxOperator => "Sign";
        public override string NotDifferentiable => "it is the slope of Abs, made only by Abs's gradient";
    }

    /// <summary>log(1 + eˣ) (<c>torch.nn.functional.softplus</c>), computed so that it never overflows; dx = dy · σ(x).</summary>
    internal sealed class SoftplusOp : ElementwiseOp
    {
        public override string UserName => "Softplus";
        protected override string OnnxOperator => "Softplus";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Mul(dy, ad.Emit(OpKind.Sigmoid, new[] { x }, x), x));
    }

    /// <summary>The error function, erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (<c>torch.erf</c>); dx = dy · 2/√π · e^(−x²).</summary>
    internal sealed class ErfOp : ElementwiseOp
    {
        public override string UserName => "Erf";
        protected override string OnnxOperator => "Erf";

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
            => Into(ad, op, x => ad.Mul(dy, ad.Scale(ad.Emit(OpKind.Exp, new[] { ad.Neg(ad.Emit(OpKind.Square, new[] { x }, x), x) }, x), 2 / System.Math.Sqrt(System.Math.PI), x), x));
    }

    /// <summary>sin x; dx = dy · cos x.</summary>
    internal sealed class SinOp : ElementwiseOp
    {
        public override string UserName => "Sin";
        protected override string OnnxOperator => "Sin";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Mul(dy, ad.Emit(OpKind.Cos, new[] { x }, x), x));
    }

    /// <summary>cos x; dx = −dy · sin x.</summary>
    internal sealed class CosOp : ElementwiseOp
    {
        public override string UserName => "Cos";
        protected override string OnnxOperator => "Cos";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Neg(ad.Mul(dy, ad.Emit(OpKind.Sin, new[] { x }, x), x), x));
    }

    /// <summary>The exponent of <see cref="PowOp"/>.</summary>
    internal sealed record PowAttributes(double Exponent) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("exponent", Exponent);
    }

    /// <summary>xᵖ for a constant p (<c>torch.pow(x, p)</c>): a negative x to a whole power keeps its sign rule, to
    /// another power is NaN. dx = dy · p · x^(p−1), and 0 for p = 0 (as PyTorch).</summary>
    internal sealed class PowOp : ElementwiseOp
    {
        public override string UserName => "Pow";

        public static float Exponent(IOpAttributes op) => (float)op.Get<PowAttributes>().Exponent;

        public override OpAttributes FromCall(string subject, double[] args)
            => new PowAttributes(FiniteConstant(subject, args, "Pow: write Pow(x, p) with a finite constant exponent p.").Value);

        public override OpAttributes ReadAttributes(AttributeReader r) => new PowAttributes(r.Double("exponent"));

        public override void ToOnnx(OnnxWriter w) => w.Emit("Pow", new[] { w.Input(0), w.Scalar(Exponent(w.Op)) });

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            double p = op.Get<PowAttributes>().Exponent;
            Into(ad, op, x => p == 0
                ? ad.Scale(dy, 0, x)
                : ad.Mul(dy, ad.Scale(ad.Emit(OpKind.Pow, new[] { x }, x, new PowAttributes(p - 1)), p, x), x));
        }
    }
}
