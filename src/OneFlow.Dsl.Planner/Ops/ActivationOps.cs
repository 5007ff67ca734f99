using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>max(x, 0). Not linear: a partial sum must be reduced before it.</summary>
    internal sealed class ReluOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Relu);
        public override string UserName => "Relu";
        protected override string OnnxOperator => "Relu";
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.ReluGrad, op.Output);
    }

    /// <summary>dx = dy where y &gt; 0, else 0.</summary>
    internal sealed class ReluGradOp : ElementwiseGradOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.ReluGrad);
    }

    // The activations of torch.nn beyond ReLU, GELU, tanh and sigmoid, with PyTorch's formulas, defaults and
    // gradients (the value at a kink is PyTorch's choice). Written as Clamp where they are clamps.

    /// <summary>x · σ(x) (<c>torch.nn.SiLU</c>); dx = dy · σ(x) · (1 + x − x·σ(x)).</summary>
    internal sealed class SiluOp : ElementwiseOp
    {
        public override string UserName => "Silu";

        /// <summary>Opset 17 has no SiLU: x · Sigmoid(x).</summary>
        public override void ToOnnx(OnnxWriter w) => w.Emit("Mul", new[] { w.Input(0), w.Node("Sigmoid", new[] { w.Input(0) }) });

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x =>
        {
            int s = ad.Emit(OpKind.Sigmoid, new[] { x }, x);
            int slope = ad.Emit(OpKind.AddScalar, new[] { ad.Emit(OpKind.Sub, new[] { x, ad.Mul(x, s, x) }, x) }, x, new ScalarAttributes(1));
            return ad.Mul(dy, ad.Mul(s, slope, x), x);
        });
    }

    /// <summary>The bounds of a clamp; an infinite one leaves that side open (PyTorch's None).</summary>
    internal sealed record ClampAttributes(double Min, double Max) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("min", Min).Double("max", Max);
        public static ClampAttributes Read(AttributeReader r) => new ClampAttributes(r.Double("min"), r.Double("max"));

        /// <summary>A call's (min, max), checked; a statement that leaves them out (a spec written by hand) gets the op's
        /// defaults, <paramref name="open"/>.</summary>
        public static ClampAttributes FromCall(string subject, double[] args, string name, (double Min, double Max) open)
        {
            if (args.Length == 0) return new ClampAttributes(open.Min, open.Max);
            if (args.Length != 2 || double.IsNaN(args[0]) || double.IsNaN(args[1]))
                throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{name} takes a lower and an upper bound after its tensor (float.NegativeInfinity or float.PositiveInfinity for an open side).");
            if (args[0] > args[1])
                throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{name}: the lower bound {args[0]} is above the upper bound {args[1]}; give min ≤ max.");
            return new ClampAttributes(args[0], args[1]);
        }
    }

    /// <summary>min(max(x, min), max) (<c>torch.clamp</c>); dx = dy where min ≤ x ≤ max, else 0.</summary>
    internal sealed class ClampOp : ElementwiseOp
    {
        public override string UserName => "Clamp";

        public static (float Min, float Max) Bounds(IOpAttributes op)
        {
            var a = op.Get<ClampAttributes>();
            return ((float)a.Min, (float)a.Max);
        }

        public override OpAttributes FromCall(string subject, double[] args) => ClampAttributes.FromCall(subject, args, "Clamp", (double.NegativeInfinity, double.PositiveInfinity));
        public override OpAttributes ReadAttributes(AttributeReader r) => ClampAttributes.Read(r);

        public override void ToOnnx(OnnxWriter w)
        {
            var (min, max) = Bounds(w.Op);
            w.Emit("Clip", new[] { w.Input(0), w.Scalar(min), w.Scalar(max) });
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Emit(OpKind.ClampGrad, new[] { dy, x }, x, op.Attributes));
    }

    /// <summary>dy where the clamp passed x through (min ≤ x ≤ max), else 0; operands (dy, x), the clamp's bounds.</summary>
    internal sealed class ClampGradOp : ElementwiseGradOp
    {
        public override OpAttributes ReadAttributes(AttributeReader r) => ClampAttributes.Read(r);
    }

    /// <summary>min(max(x, 0), 6) (<c>torch.nn.ReLU6</c>, MobileNet's): a clamp.</summary>
    internal sealed class Relu6Op : CompositeOp
    {
        public override string UserName => "Relu6";
        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes) => b.Add(OpKind.Clamp, inputs, "clamp", new ClampAttributes(0, 6));
    }

    /// <summary>min(max(x, min), max) with PyTorch's defaults −1 and 1 (<c>torch.nn.Hardtanh</c>): a clamp.</summary>
    internal sealed class HardtanhOp : CompositeOp
    {
        public override string UserName => "Hardtanh";
        public override OpAttributes FromCall(string subject, double[] args) => ClampAttributes.FromCall(subject, args, "Hardtanh", (-1, 1));
        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes) => b.Add(OpKind.Clamp, inputs, "clamp", attributes);
    }

    /// <summary>x · clamp(x + 3, 0, 6) / 6 (<c>torch.nn.Hardswish</c>, MobileNetV3's); its parts' gradients give
    /// PyTorch's: 0 below −3, x/3 + ½ from −3 to 3, 1 above.</summary>
    internal sealed class HardswishOp : CompositeOp
    {
        public override string UserName => "Hardswish";

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            int shifted = b.Add(OpKind.AddScalar, inputs, "shifted", new ScalarAttributes(3));
            int gate = b.Add(OpKind.Clamp, new[] { shifted }, "gate", new ClampAttributes(0, 6));
            int product = b.Add(OpKind.Mul, new[] { inputs[0], gate }, "product");
            return b.Add(OpKind.Scale, new[] { product }, "swish", new ScalarAttributes(1.0 / 6));
        }
    }

    /// <summary>The one constant of an activation with a kink at 0 (LeakyReLU's slope, ELU's α), as ONNX names it.</summary>
    internal sealed record AlphaAttributes(double Alpha) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("alpha", Alpha);
        public static AlphaAttributes Read(AttributeReader r) => new AlphaAttributes(r.Double("alpha"));
    }

    /// <summary>An activation that is x above 0 and its own formula below, with one constant: its ONNX operator takes the
    /// constant as alpha, and its gradient is a kernel of (dy, x) with the same constant.</summary>
    internal abstract class AlphaActivationOp : ElementwiseOp
    {
        protected abstract double DefaultAlpha { get; }
        protected abstract OpKind Gradient { get; }
        protected abstract string OnnxName { get; }

        public static float Alpha(IOpAttributes op) => (float)op.Get<AlphaAttributes>().Alpha;

        /// <summary>The constant as written; a statement that leaves it out (a spec written by hand) gets PyTorch's default.</summary>
        public override OpAttributes FromCall(string subject, double[] args)
            => new AlphaAttributes(args.Length == 0 ? DefaultAlpha : FiniteConstant(subject, args, $"{UserName}: write {UserName}(x, c) with a finite constant c.").Value);

        public override OpAttributes ReadAttributes(AttributeReader r) => AlphaAttributes.Read(r);

        public override void ToOnnx(OnnxWriter w) => w.Emit(OnnxName, new[] { w.Input(0) }, OnnxAttribute.Of("alpha", Alpha(w.Op)));

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Emit(Gradient, new[] { dy, x }, x, op.Attributes));
    }

    /// <summary>x above 0, slope · x below (<c>torch.nn.LeakyReLU</c>, slope 0.01 by default); dx = dy · (x > 0 ? 1 : slope).</summary>
    internal sealed class LeakyReluOp : AlphaActivationOp
    {
        public override string UserName => "LeakyRelu";
        protected override double DefaultAlpha => 0.01;
        protected override OpKind Gradient => OpKind.LeakyReluGrad;
        protected override string OnnxName => "LeakyRelu";
    }

    /// <summary>dy · (x > 0 ? 1 : slope); operands (dy, x).</summary>
    internal sealed class LeakyReluGradOp : ElementwiseGradOp
    {
        public override OpAttributes ReadAttributes(AttributeReader r) => AlphaAttributes.Read(r);
    }

    /// <summary>x above 0, α(eˣ − 1) below (<c>torch.nn.ELU</c>, α = 1 by default); dx = dy · (x > 0 ? 1 : α·eˣ).</summary>
    internal sealed class EluOp : AlphaActivationOp
    {
        public override string UserName => "Elu";
        protected override double DefaultAlpha => 1;
        protected override OpKind Gradient => OpKind.EluGrad;
        protected override string OnnxName => "Elu";
    }

    /// <summary>dy · (x > 0 ? 1 : α·eˣ); operands (dy, x).</summary>
    internal sealed class EluGradOp : ElementwiseGradOp
    {
        public override OpAttributes ReadAttributes(AttributeReader r) => AlphaAttributes.Read(r);
    }
}
