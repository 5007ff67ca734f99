using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>An upsampling's whole scale factor (both spatial axes) and whether it interpolates bilinearly.</summary>
    internal sealed record UpsampleAttributes(int Scale, bool Bilinear) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("scale", Scale).Bool("bilinear", Bilinear);
        public static UpsampleAttributes Read(AttributeReader r) => new UpsampleAttributes(r.Int("scale"), r.Bool("bilinear"));

        /// <summary>Where output index <paramref name="i"/> reads along an axis of <paramref name="n"/>: PyTorch's bilinear
        /// rule without aligned corners, the source (i + ½) / scale − ½ clamped at 0, between <paramref name="low"/>
        /// and <paramref name="high"/> with weight <paramref name="t"/> on the high one. The rule both backends apply.</summary>
        public static void Sample(int i, int scale, int n, out int low, out int high, out float t)
        {
            float source = (i + 0.5f) / scale - 0.5f;
            if (source < 0) source = 0;
            low = (int)source;
            high = low + 1 < n ? low + 1 : n - 1;
            t = source - low;
        }
    }

    /// <summary>x [N, C, H, W] enlarged <c>scale</c> times along H and W (<c>F.interpolate(x, scale_factor, mode)</c>
    /// with <c>align_corners=False</c>): "nearest" repeats each pixel, "bilinear" interpolates between the four
    /// nearest. Linear in x, so samples or channels may be split and partial sums pass.</summary>
    internal sealed class UpsampleOp : OpDef
    {
        public override string UserName => "Upsample";

        private static readonly IReadOnlyDictionary<string, double> Modes = new Dictionary<string, double> { ["nearest"] = 0, ["bilinear"] = 1 };

        public static UpsampleAttributes Attributes(IOpAttributes op) => op.Get<UpsampleAttributes>();

        public override IReadOnlyDictionary<string, double>? Choices(string parameter) => parameter == "mode" ? Modes : null;

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 2 && args[0] >= 1 && args[0] == (int)args[0] && (args[1] == 0 || args[1] == 1)
                ? new UpsampleAttributes((int)args[0], args[1] == 1)
                : throw BadCall(subject, "Upsample takes a whole scale factor of at least 1, then mode: \"nearest\" or \"bilinear\".");

        public override OpAttributes ReadAttributes(AttributeReader r) => UpsampleAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank != 4) throw Mismatch(op, $"Upsample: {NameOf(g, op, 0)} is {x} but must be [N, C, H, W].");
            int s = Attributes(op).Scale;
            return new Shape(x[0], x[1], x[2] * s, x[3] * s);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => Spatial();

        internal static IEnumerable<Signature> Spatial()
        {
            yield return In(Sbp.S(0)).Out(Sbp.S(0));
            yield return In(Sbp.S(1)).Out(Sbp.S(1));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        /// <summary>ONNX's Resize: nearest as floor of output / scale, bilinear with PyTorch's half-pixel rule.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var a = Attributes(w.Op);
            var scales = w.Floats(new Shape(4), new float[] { 1, 1, a.Scale, a.Scale });
            if (a.Bilinear)
                w.Emit("Resize", new[] { w.Input(0), "", scales }, OnnxAttribute.Of("mode", "linear"), OnnxAttribute.Of("coordinate_transformation_mode", "pytorch_half_pixel"));
            else
                w.Emit("Resize", new[] { w.Input(0), "", scales }, OnnxAttribute.Of("mode", "nearest"), OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"),
                    OnnxAttribute.Of("nearest_mode", "floor"));
        }

        /// <summary>dx: each output's dy added to the pixels it was made of, by their weights.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.UpsampleGrad, new[] { dy }, x, op.Attributes));
        }
    }

    /// <summary>dx of an upsampling from dy [N, C, H·s, W·s].</summary>
    internal sealed class UpsampleGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy" };
        public override OpAttributes ReadAttributes(AttributeReader r) => UpsampleAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0);
            int s = UpsampleOp.Attributes(op).Scale;
            return new Shape(dy[0], dy[1], dy[2] / s, dy[3] / s);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => UpsampleOp.Spatial();
    }
}
