using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The larger (or smaller) of a and b element by element, broadcasting as NumPy (<c>torch.maximum</c>,
    /// <c>torch.minimum</c>; a NaN on either side gives NaN). PyTorch's gradient: dy to the operand that wins, half to
    /// each where they are equal, all to both where either is NaN.</summary>
    internal abstract class PairwiseExtremumOp : OpDef
    {
        protected abstract bool Minimum { get; }
        public override string[] Operands => new[] { "a", "b" };

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape a = ShapeOf(g, op, 0), b = ShapeOf(g, op, 1);
            return BroadcastShapes.Of(a, b) ?? throw Mismatch(op, $"{UserName}: {NameOf(g, op, 0)} {a} and {NameOf(g, op, 1)} {b} do not broadcast together.");
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => BroadcastShapes.Signatures(c, linear: false, scales: false);
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);

        protected override string? OnnxOperator => Minimum ? "Min" : "Max";

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            for (int side = 0; side < 2; side++)
            {
                int x = op.Inputs[side];
                if (!ad.NeedsGradient(x)) continue;
                int share = ad.Emit(OpKind.PairwiseExtremumGrad, new[] { dy, op.Inputs[0], op.Inputs[1] }, x, new PairwiseExtremumGradAttributes(Minimum, side));
                ad.Accumulate(x, ad.SumToShape(share, x));
            }
        }
    }

    internal sealed class MaximumOp : PairwiseExtremumOp
    {
        public override string UserName => "Maximum";
        protected override bool Minimum => false;
    }

    internal sealed class MinimumOp : PairwiseExtremumOp
    {
        public override string UserName => "Minimum";
        protected override bool Minimum => true;
    }

    /// <summary>Which extremum and which operand (0 for a, 1 for b) a <see cref="PairwiseExtremumGradOp"/> gives the gradient of.</summary>
    internal sealed record PairwiseExtremumGradAttributes(bool Minimum, int Side) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Bool("minimum", Minimum).Int("side", Side);
    }

    /// <summary>One operand's share of dy, of dy's shape (summed back to the operand's after): operands (dy, a, b).</summary>
    internal sealed class PairwiseExtremumGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "a", "b" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new PairwiseExtremumGradAttributes(r.Bool("minimum"), r.Int("side"));
        public static PairwiseExtremumGradAttributes Attributes(IOpAttributes op) => op.Get<PairwiseExtremumGradAttributes>();
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        /// <summary>Split along an output axis, each operand split alike or whole where it is broadcast; or all whole.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape y = c.Input("dy").Shape, a = c.Input("a").Shape, b = c.Input("b").Shape;
            for (int axis = 0; axis < y.Rank; axis++)
                yield return In(Sbp.S(axis), BroadcastShapes.AlongOutputSplit(a, y, axis), BroadcastShapes.AlongOutputSplit(b, y, axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B, Sbp.B).Out(Sbp.P);
        }
    }
}
