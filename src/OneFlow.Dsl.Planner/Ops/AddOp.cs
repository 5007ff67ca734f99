using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>a + b, broadcasting as NumPy does (see <see cref="BroadcastShapes"/>).</summary>
    internal sealed class AddOp : OpDef
    {
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
        public override string UserName => "Neg";
        protected override string OnnxOperator => "Neg";
        protected override bool Linear => true;

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Into(ad, op, x => ad.Neg(dy, x));
    }
}
