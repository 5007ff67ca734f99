using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>x + c for a constant c: what <c>x + 0.5f</c>, <c>x - c</c> and <c>c - x</c> lower to (see
    /// <see cref="ScalarArithmetic"/>). Not linear: a partial sum would add c once per device.</summary>
    internal sealed class AddScalarOp : ElementwiseOp
    {
        public override string UserName => "AddScalar";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Add", new[] { w.Input(0), w.Scalar(Value(w.Op)) });


        public static float Value(IOpAttributes op) => (float)op.Get<ScalarAttributes>().Value;

        public override OpAttributes FromCall(string subject, double[] args) => FiniteConstant(subject, args, "AddScalar: the constant added to a tensor must be finite.");
        public override OpAttributes ReadAttributes(AttributeReader r) => ScalarAttributes.Read(r);

        /// <summary>The gradient passes unchanged.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, _ => dy);
    }
}
