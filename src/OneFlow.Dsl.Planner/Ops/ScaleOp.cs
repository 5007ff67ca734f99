using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Scale(x, c): every element times a constant, as attention's 1/√d; also what <c>x * c</c> and
    /// <c>x / c</c> lower to. Linear, so partial sums pass through; its own gradient: dx = c·dy.</summary>
    internal sealed class ScaleOp : ElementwiseOp
    {
        public override string UserName => "Scale";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Mul", new[] { w.Input(0), w.Scalar(Factor(w.Op)) });

        protected override bool Linear => true;

        public static float Factor(IOpAttributes op) => (float)op.Get<ScalarAttributes>().Value;

        public override OpAttributes FromCall(string subject, double[] args) => FiniteConstant(subject, args, "Scale: write Scale(x, c) with a finite constant c.");
        public override OpAttributes ReadAttributes(AttributeReader r) => ScalarAttributes.Read(r);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Scale(dy, Factor(op), x));
    }
}
