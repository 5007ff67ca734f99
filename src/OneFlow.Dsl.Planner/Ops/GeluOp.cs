using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Which GELU: the exact one, x·Φ(x), or GPT-2's tanh approximation.</summary>
    internal sealed record GeluAttributes(bool Tanh) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Bool("tanh", Tanh);
        public static GeluAttributes Read(AttributeReader r) => new GeluAttributes(r.Bool("tanh"));
    }

    /// <summary>GELU as PyTorch's <c>F.gelu(x, approximate=…)</c>: "none" (the default, as <c>nn.GELU()</c> and BERT)
    /// is x·Φ(x) = ½x(1 + erf(x/√2)); "tanh" is ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as GPT-2 uses.</summary>
    internal sealed class GeluOp : ElementwiseOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(IsTanh(op) ? PointwiseCode.GeluTanh : PointwiseCode.Gelu);
        public override string UserName => "Gelu";

        private static readonly IReadOnlyDictionary<string, double> Approximations = new Dictionary<string, double> { ["none"] = 0, ["tanh"] = 1 };

        public static bool IsTanh(IOpAttributes op) => op.Get<GeluAttributes>().Tanh;

        /// <summary>The number a call's <c>approximate</c> stands for; anything but "none" or "tanh" is refused.</summary>
        public static double Approximation(string approximate)
            => Approximations.TryGetValue(approximate, out double code) ? code
                : throw new System.ArgumentException($"Gelu's approximate is \"none\" (exact, the default) or \"tanh\", not \"{approximate}\".", nameof(approximate));

        public override IReadOnlyDictionary<string, double>? Choices(string parameter) => parameter == "approximate" ? Approximations : null;

        /// <summary>A statement that leaves approximate out (a spec written by hand) gets PyTorch's default, the exact form.</summary>
        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 0 ? new GeluAttributes(false)
                : args.Length == 1 && (args[0] == 0 || args[0] == 1) ? new GeluAttributes(args[0] == 1)
                : throw BadCall(subject, "Gelu takes approximate: \"none\" or \"tanh\" after its tensor.");

        public override OpAttributes ReadAttributes(AttributeReader r) => GeluAttributes.Read(r);

        /// <summary>Opset 17 has no Gelu: either form written out.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            string x = w.Input(0), half = w.Node("Mul", new[] { x, w.Scalar(0.5f) });
            if (!IsTanh(w.Op))
            {
                string erf = w.Node("Erf", new[] { w.Node("Mul", new[] { x, w.Scalar((float)(1 / System.Math.Sqrt(2))) }) });
                w.Emit("Mul", new[] { half, w.Node("Add", new[] { erf, w.Scalar(1f) }) });
                return;
            }
            string cube = w.Node("Mul", new[] { w.Node("Mul", new[] { x, x }), x });
            string inner = w.Node("Add", new[] { x, w.Node("Mul", new[] { cube, w.Scalar(0.044715f) }) });
            string tanh = w.Node("Tanh", new[] { w.Node("Mul", new[] { inner, w.Scalar((float)System.Math.Sqrt(2 / System.Math.PI)) }) });
            w.Emit("Mul", new[] { half, w.Node("Add", new[] { tanh, w.Scalar(1f) }) });
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Emit(OpKind.GeluGrad, new[] { dy, x }, x, op.Attributes));
    }

    /// <summary>dx = dy · gelu'(x) of the same form: Φ(x) + x·φ(x) exactly, or the tanh form's derivative.</summary>
    internal sealed class GeluGradOp : ElementwiseGradOp
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(GeluOp.IsTanh(op) ? PointwiseCode.GeluTanhGrad : PointwiseCode.GeluGrad);
        public override OpAttributes ReadAttributes(AttributeReader r) => GeluAttributes.Read(r);
    }
}
