using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The maximum of each window (<c>torch.nn.functional.max_pool2d</c>, with its padding and ceil mode), written as the
    /// position of each window's maximum, kept for the backward pass in a register of its own, and a gather of x there.</summary>
    internal sealed class MaxPool2dOp : CompositeOp
    {
        public override string UserName => "MaxPool2d";

        public override OpAttributes FromCall(string subject, double[] args) => PoolWindow.FromCall(subject, args, "MaxPool2d", average: false);

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            int argmax = b.Add(OpKind.MaxPoolArgmax, new[] { inputs[0] }, "argmax", attributes);
            return b.Add(OpKind.PlaneGather, new[] { inputs[0], argmax }, "max");
        }
    }

    /// <summary>Per window of x, where in its H×W plane its first maximum lies (h·W + w), as integers.</summary>
    internal sealed class MaxPoolArgmaxOp : OpDef
    {
        /// <summary>ONNX's MaxPool gives each maximum's position in the whole tensor, row-major; modulo H·W it is the
        /// position in the plane.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var p = PoolWindow.Of(w.Op);
            var x = w.InputShape(0);
            var pooled = w.Nodes("MaxPool", new[] { w.Input(0) }, 2,
                OnnxAttribute.Of("kernel_shape", p.Kernel, p.Kernel), OnnxAttribute.Of("strides", p.Stride, p.Stride),
                OnnxAttribute.Of("pads", p.Padding, p.Padding, p.Padding, p.Padding), OnnxAttribute.Of("ceil_mode", p.CeilMode ? 1L : 0L));
            w.Emit("Mod", new[] { pooled[1], w.Longs((long)x[2] * x[3]) });
        }

        public override string NotDifferentiable => "it gives positions, which are integers";
        public override OpAttributes ReadAttributes(AttributeReader r) => PoolWindow.Read(r);
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => PoolWindow.Pooled(g, op, 0, "MaxPool2d");
        public override DType OutputType(LogicalGraph g, LogicalOp op) => DType.I32;
        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(1, linear: false);
    }

    /// <summary>y[n, c, i, j] = x[n, c] at plane position idx[n, c, i, j]: the values a max pool chose.</summary>
    internal sealed class PlaneGatherOp : OpDef
    {
        public override string[] Operands => new[] { "x", "positions" };

        /// <summary>A GatherElements over each flattened plane.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            Shape x = w.InputShape(0), idx = w.InputShape(1);
            string planes = w.Node("Reshape", new[] { w.Input(0), w.Longs(-1, x[1], (long)x[2] * x[3]) });
            string positions = w.Node("Reshape", new[] { w.Input(1), w.Longs(-1, idx[1], (long)idx[2] * idx[3]) });
            string picked = w.Node("GatherElements", new[] { planes, positions }, OnnxAttribute.Of("axis", 2L));
            w.Emit("Reshape", new[] { picked, w.Longs(-1, idx[1], idx[2], idx[3]) });
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), idx = ShapeOf(g, op, 1);
            if (x.Rank != 4 || idx.Rank != 4 || x[0] != idx[0] || x[1] != idx[1])
                throw Mismatch(op, $"PlaneGather: {NameOf(g, op, 0)} is {x} and the positions {idx}; both must be [N, C, ·, ·] with the same N and C.");
            return idx;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => PoolWindow.Signatures(2, linear: false);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var shape = ad.ShapeOf(x);
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.PlaneScatter, new[] { dy, op.Inputs[1] }, x, new PlaneAttributes(shape[2], shape[3])));
        }
    }

    /// <summary>The height and width of the planes a <see cref="PlaneScatterOp"/> writes into.</summary>
    internal sealed record PlaneAttributes(int Height, int Width) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("height", Height).Int("width", Width);
    }

    /// <summary>dx = zeros [N, C, H, W] with each dy added at its position: PlaneGather's gradient.</summary>
    internal sealed class PlaneScatterOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "positions" };

        public override OpAttributes ReadAttributes(AttributeReader r) => new PlaneAttributes(r.Int("height"), r.Int("width"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0);
            var plane = op.Get<PlaneAttributes>();
            return new Shape(dy[0], dy[1], plane.Height, plane.Width);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            foreach (var s in PoolWindow.Signatures(2, linear: false)) yield return s;
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }

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
