using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>softmax over the last axis: rows may be split, a row may not.</summary>
    internal sealed class SoftmaxOp : OpDef
    {
        public override string UserName => "Softmax";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Softmax", new[] { w.Input(0) }, OnnxAttribute.Of("axis", -1L));

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("x").Rank, 1, linear: false);
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => RowOps.Decode(d, s, times);

        /// <summary>dx = y ⊙ (dy − Σ dy ⊙ y), from the output y.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.SoftmaxGrad, new[] { dy, op.Output }, x));
        }
    }

    /// <summary>The gradient of softmax from dy and the softmax output.</summary>
    internal sealed class SoftmaxGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "saved" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("dy").Rank, 2, linear: false);
    }

    /// <summary>log softmax over the last axis: x − log Σ exp x, computed stably.</summary>
    internal sealed class LogSoftmaxOp : OpDef
    {
        public override string UserName => "LogSoftmax";
        public override void ToOnnx(OnnxWriter w) => w.Emit("LogSoftmax", new[] { w.Input(0) }, OnnxAttribute.Of("axis", -1L));

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("x").Rank, 1, linear: false);
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => RowOps.Decode(d, s, times);

        /// <summary>dx = dy − softmax(x) · Σ dy = dy − exp(y) · Σ dy, from the output y.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.LogSoftmaxGrad, new[] { dy, op.Output }, x));
        }
    }

    /// <summary>The gradient of log softmax from dy and the log-softmax output.</summary>
    internal sealed class LogSoftmaxGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "saved" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("dy").Rank, 2, linear: false);
    }
}
