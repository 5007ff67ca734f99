using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>a + b, broadcasting as NumPy does (see <see cref="BroadcastShapes"/>).</summary>
    internal sealed class AddOp : OpDef
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Add);
        public override string UserName => "Add";
        protected override string OnnxOperator => "Add";
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => BroadcastShapes.Infer(g, op, "Add");
        public override string[] Operands => new[] { "a", "b" };
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => BroadcastShapes.Signatures(c, linear: true, scales: false);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            foreach (int input in op.Inputs)
                if (ad.NeedsGradient(input)) ad.Accumulate(input, ad.SumToShape(dy, input));
        }
    }

    /// <summary>a − b, broadcasting as <see cref="AddOp"/>.</summary>
    internal sealed class SubOp : OpDef
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Sub);
        public override string UserName => "Sub";
        protected override string OnnxOperator => "Sub";
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => BroadcastShapes.Infer(g, op, "Sub");
        public override string[] Operands => new[] { "a", "b" };
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => BroadcastShapes.Signatures(c, linear: true, scales: false);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int a = op.Inputs[0], b = op.Inputs[1];
            if (ad.NeedsGradient(a)) ad.Accumulate(a, ad.SumToShape(dy, a));
            if (ad.NeedsGradient(b)) ad.Accumulate(b, ad.Neg(ad.SumToShape(dy, b), b));
        }
    }

    /// <summary>a · b elementwise, broadcasting as <see cref="AddOp"/>.</summary>
    internal sealed class MulOp : OpDef
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Mul);
        public override string UserName => "Mul";
        protected override string OnnxOperator => "Mul";
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => BroadcastShapes.Infer(g, op, "Mul");
        public override string[] Operands => new[] { "a", "b" };
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => BroadcastShapes.Signatures(c, linear: false, scales: true);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int a = op.Inputs[0], b = op.Inputs[1];
            if (ad.NeedsGradient(a)) ad.Accumulate(a, ad.SumToShape(ad.Mul(dy, b, a), a));
            if (ad.NeedsGradient(b)) ad.Accumulate(b, ad.SumToShape(ad.Mul(dy, a, b), b));
        }
    }

    /// <summary>−x: the unary minus, and the gradient of a subtrahend.</summary>
    internal sealed class NegOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Neg);
        public override string UserName => "Neg";
        protected override string OnnxOperator => "Neg";
        protected override bool Linear => true;

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Neg(dy, x));
    }

    /// <summary>a / b elementwise, broadcasting as <see cref="AddOp"/> (<c>torch.div</c>). Linear in a only, so a
    /// partial numerator may pass over a whole denominator.</summary>
    internal sealed class DivOp : OpDef
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Div);
        public override string UserName => "Div";
        protected override string OnnxOperator => "Div";
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => BroadcastShapes.Infer(g, op, "Div");

        public override string[] Operands => new[] { "a", "b" };
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            foreach (var s in BroadcastShapes.Signatures(c, linear: false, scales: false)) yield return s;
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }

        /// <summary>da = dy / b; db = −(dy / b) · y, since y = a / b makes −a / b² = −y / b.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int a = op.Inputs[0], b = op.Inputs[1];
            int quotient = ad.Div(dy, b, ad.NeedsGradient(a) ? a : b);
            if (ad.NeedsGradient(a)) ad.Accumulate(a, ad.SumToShape(quotient, a));
            if (ad.NeedsGradient(b)) ad.Accumulate(b, ad.SumToShape(ad.Neg(ad.Mul(quotient, op.Output, b), b), b));
        }
    }

    /// <summary>Sums a tensor over the axes along which a smaller one was broadcast to it: the gradient of a
    /// broadcast operand (a bias's gradient is its output's gradient summed over the rows).</summary>
    /// <summary>The shape summed to.</summary>
    internal sealed record SumToAttributes(Shape Target) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("target", Target.ToArray());
    }

    internal sealed class SumToOp : GradientOp
    {
        public static Shape Target(IOpAttributes op) => op.Get<SumToAttributes>().Target;
        public override OpAttributes ReadAttributes(AttributeReader r) => new SumToAttributes(new Shape(r.Ints("target")));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), y = Target(op);
            if (!x.Equals(BroadcastShapes.Of(x, y)))
                throw Mismatch(op, $"SumTo: {NameOf(g, op, 0)} {x} is not a broadcast of {y}.");
            return y;
        }

        /// <summary>An axis split and kept stays split (along its place in the smaller shape); an axis split and
        /// summed away leaves partial sums.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape x = c.Input("x").Shape, y = Target(c.Op);
            var reduced = BroadcastShapes.ReducedAxes(x, y);
            for (int i = 0; i < x.Rank; i++)
                yield return In(Sbp.S(i)).Out(reduced[i] ? Sbp.P : Sbp.S(i - (x.Rank - y.Rank)));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }
    }

    /// <summary>x + c for a constant c: what <c>x + 0.5f</c>, <c>x - c</c> and <c>c - x</c> lower to (see
    /// <see cref="ScalarArithmetic"/>). Not linear: a partial sum would add c once per device.</summary>
    internal sealed class AddScalarOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.AddScalar, op.Get<ScalarAttributes>().Value);
        public override string UserName => "AddScalar";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Add", new[] { w.Input(0), w.Scalar(Value(w.Op)) });


        public static float Value(IOpAttributes op) => (float)op.Get<ScalarAttributes>().Value;

        public override OpAttributes FromCall(string subject, double[] args) => FiniteConstant(subject, args, "AddScalar: the constant added to a tensor must be finite.");
        public override OpAttributes ReadAttributes(AttributeReader r) => ScalarAttributes.Read(r);

        /// <summary>The gradient passes unchanged.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, _ => dy);
    }

    /// <summary>Scale(x, c): every element times a constant, as attention's 1/√d; also what <c>x * c</c> and
    /// <c>x / c</c> lower to. Linear, so partial sums pass through; its own gradient: dx = c·dy.</summary>
    internal sealed class ScaleOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Scale, op.Get<ScalarAttributes>().Value);
        public override string UserName => "Scale";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Mul", new[] { w.Input(0), w.Scalar(Factor(w.Op)) });

        protected override bool Linear => true;

        public static float Factor(IOpAttributes op) => (float)op.Get<ScalarAttributes>().Value;

        public override OpAttributes FromCall(string subject, double[] args) => FiniteConstant(subject, args, "Scale: write Scale(x, c) with a finite constant c.");
        public override OpAttributes ReadAttributes(AttributeReader r) => ScalarAttributes.Read(r);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Scale(dy, Factor(op), x));
    }
}
