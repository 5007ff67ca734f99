using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean of each window (<c>torch.nn.functional.avg_pool2d</c>, with its padding, ceil mode and
    /// count_include_pad); a window as large as the map is global average pooling.</summary>
    internal sealed class AvgPool2dOp : OpDef
    {
        public override string UserName => "AvgPool2d";
        public override void ToOnnx(OnnxWriter w)
        {
            var p = PoolWindow.Of(w.Op);
            w.Emit("AveragePool", new[] { w.Input(0) }, OnnxAttribute.Of("kernel_shape", p.Kernel, p.Kernel), OnnxAttribute.Of("strides", p.Stride, p.Stride),
                OnnxAttribute.Of("pads", p.Padding, p.Padding, p.Padding, p.Padding), OnnxAttribute.Of("ceil_mode", p.CeilMode ? 1L : 0L),
                OnnxAttribute.Of("count_include_pad", p.CountIncludePad ? 1L : 0L));
        }

        public override OpAttributes FromCall(string subject, double[] args) => PoolWindow.FromCall(subject, args, "AvgPool2d", average: true);
        public override OpAttributes ReadAttributes(AttributeReader r) => PoolWindow.Read(r);
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => PoolWindow.Pooled(g, op, 0, "AvgPool2d");
        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(1, linear: true);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var shape = ad.ShapeOf(x);
            var window = PoolWindow.Of(op);
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.AvgPool2dGrad, new[] { dy }, x, new AvgPool2dGradAttributes(window, shape[2], shape[3])));
        }
    }

    /// <summary>The window of the pool an <see cref="AvgPool2dGradOp"/> differentiates, and x's height and width.</summary>
    internal sealed record AvgPool2dGradAttributes(PoolWindow Window, int Height, int Width) : OpAttributes
    {
        internal override void Write(AttributeWriter w) { Window.Write(w); w.Int("height", Height).Int("width", Width); }
    }

    /// <summary>dx: each dy spread evenly over its window.</summary>
    internal sealed class AvgPool2dGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy" };

        public override OpAttributes ReadAttributes(AttributeReader r) => new AvgPool2dGradAttributes(PoolWindow.Read(r), r.Int("height"), r.Int("width"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0);
            var a = op.Get<AvgPool2dGradAttributes>();
            return new Shape(dy[0], dy[1], a.Height, a.Width);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(1, linear: true);
    }
}
