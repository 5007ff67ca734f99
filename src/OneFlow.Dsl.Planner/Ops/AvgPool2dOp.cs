using System.Collections.Generic;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean of each window (<c>torch.nn.functional.avg_pool2d</c> without padding); a window as large as
    /// the map is global average pooling.</summary>
    internal sealed class AvgPool2dOp : OpDef
    {
        public override string UserName => "AvgPool2d";
        public override void ToOnnx(OnnxWriter w)
        {
            var window = PoolWindow.Of(w.Op);
            w.Emit("AveragePool", new[] { w.Input(0) }, OnnxAttribute.Of("kernel_shape", window.Kernel, window.Kernel), OnnxAttribute.Of("strides", window.Stride, window.Stride));
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => PoolWindow.Pooled(g, op, 0, "AvgPool2d");
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => PoolWindow.Signatures(1, linear: true);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var shape = ad.ShapeOf(x);
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.AvgPool2dGrad, new[] { dy }, x, args: new[] { op.Args[0], op.Args[1], shape[2], shape[3] }));
        }
    }

    /// <summary>dx: each dy spread evenly over its window. Its arguments are the window's kernel and stride, then H and W.</summary>
    internal sealed class AvgPool2dGradOp : GradientOp
    {
        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0);
            return new Shape(dy[0], dy[1], (int)op.Args[2], (int)op.Args[3]);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => PoolWindow.Signatures(1, linear: true);
    }
}
