using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The output size of an adaptive pool: window i of an axis of length L out of n covers
    /// [⌊iL/n⌋, ⌈(i+1)L/n⌉), as PyTorch's adaptive pools cut it (windows overlap where n does not divide L).</summary>
    internal sealed record AdaptivePool(int OutHeight, int OutWidth) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("outHeight", OutHeight).Int("outWidth", OutWidth);
        public static AdaptivePool Read(AttributeReader r) => new AdaptivePool(r.Int("outHeight"), r.Int("outWidth"));

        public static AdaptivePool FromCall(string subject, double[] args, string name)
            => args.Length == 2 && args[0] >= 1 && args[1] >= 1 ? new AdaptivePool((int)args[0], (int)args[1])
                : throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{name} takes the output's height and width, each at least 1, after its tensor.");

        /// <summary>Window <paramref name="index"/> of <paramref name="count"/> along an axis of <paramref name="length"/>: [First, End).</summary>
        public static (int First, int End) Span(int index, int length, int count)
            => (index * length / count, ((index + 1) * length + count - 1) / count);

        /// <summary>The pooled shape, checked: an adaptive pool may not ask for more windows than positions.</summary>
        public static Shape Pooled(LogicalGraph g, LogicalOp op, string name)
        {
            var x = g.Tensor(op.Inputs[0]);
            var a = op.Get<AdaptivePool>();
            if (x.Shape.Rank != 4)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: {x.Name} is {x.Shape} but must be [N, C, H, W].");
            if (a.OutHeight > x.Shape[2] || a.OutWidth > x.Shape[3])
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"{name}: {x.Name} {x.Shape} cannot be pooled to {a.OutHeight}x{a.OutWidth}; ask for at most {x.Shape[2]}x{x.Shape[3]}.");
            return new Shape(x.Shape[0], x.Shape[1], a.OutHeight, a.OutWidth);
        }
    }

    /// <summary>The mean of each adaptive window (<c>torch.nn.functional.adaptive_avg_pool2d</c>): VGG's 7×7 before its
    /// classifier, 1×1 global average pooling.</summary>
    internal sealed class AdaptiveAvgPool2dOp : OpDef
    {
        public override string UserName => "AdaptiveAvgPool2d";
        public override OpAttributes FromCall(string subject, double[] args) => AdaptivePool.FromCall(subject, args, "AdaptiveAvgPool2d");
        public override OpAttributes ReadAttributes(AttributeReader r) => AdaptivePool.Read(r);
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => AdaptivePool.Pooled(g, op, "AdaptiveAvgPool2d");
        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(1, linear: true);

        /// <summary>Global average pooling is ONNX's; other sizes, where the windows are equal, an average pool of that
        /// window; uneven windows have no ONNX form.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            Shape x = w.InputShape(0), y = w.OutputShape;
            if (y[2] == 1 && y[3] == 1) { w.Emit("GlobalAveragePool", new[] { w.Input(0) }); return; }
            if (x[2] % y[2] != 0 || x[3] % y[3] != 0) throw w.NoForm($"its windows over {x} are not all the same size");
            long kh = x[2] / y[2], kw = x[3] / y[3];
            w.Emit("AveragePool", new[] { w.Input(0) }, OnnxAttribute.Of("kernel_shape", kh, kw), OnnxAttribute.Of("strides", kh, kw));
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var shape = ad.ShapeOf(x);
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.AdaptiveAvgPool2dGrad, new[] { dy }, x, new PlaneAttributes(shape[2], shape[3])));
        }
    }

    /// <summary>dx: each dy spread evenly over its adaptive window; the attributes are x's height and width.</summary>
    internal sealed class AdaptiveAvgPool2dGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new PlaneAttributes(r.Int("height"), r.Int("width"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0);
            var plane = op.Get<PlaneAttributes>();
            return new Shape(dy[0], dy[1], plane.Height, plane.Width);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(1, linear: true);
    }

    /// <summary>The maximum of each adaptive window (<c>torch.nn.functional.adaptive_max_pool2d</c>, its values): the
    /// position of each window's first maximum, then a gather, as <see cref="MaxPool2dOp"/>.</summary>
    internal sealed class AdaptiveMaxPool2dOp : CompositeOp
    {
        public override string UserName => "AdaptiveMaxPool2d";
        public override OpAttributes FromCall(string subject, double[] args) => AdaptivePool.FromCall(subject, args, "AdaptiveMaxPool2d");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            int argmax = b.Add(OpKind.AdaptiveMaxArgmax, new[] { inputs[0] }, "argmax", attributes);
            return b.Add(OpKind.PlaneGather, new[] { inputs[0], argmax }, "max");
        }
    }

    /// <summary>Per adaptive window of x, where in its H×W plane its first maximum lies (h·W + w), as integers.</summary>
    internal sealed class AdaptiveMaxArgmaxOp : OpDef
    {
        public override string NotDifferentiable => "it gives positions, which are integers";
        public override OpAttributes ReadAttributes(AttributeReader r) => AdaptivePool.Read(r);
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => AdaptivePool.Pooled(g, op, "AdaptiveMaxPool2d");
        public override DType OutputType(LogicalGraph g, LogicalOp op) => DType.I32;
        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(1, linear: false);

        /// <summary>Global max pooling is ONNX's (its position is not needed there: the gather follows the values);
        /// other sizes with equal windows a max pool's positions, modulo H·W.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            Shape x = w.InputShape(0), y = w.OutputShape;
            if (x[2] % y[2] != 0 || x[3] % y[3] != 0) throw w.NoForm($"its windows over {x} are not all the same size");
            long kh = x[2] / y[2], kw = x[3] / y[3];
            var pooled = w.Nodes("MaxPool", new[] { w.Input(0) }, 2, OnnxAttribute.Of("kernel_shape", kh, kw), OnnxAttribute.Of("strides", kh, kw));
            w.Emit("Mod", new[] { pooled[1], w.Longs((long)x[2] * x[3]) });
        }
    }
}
