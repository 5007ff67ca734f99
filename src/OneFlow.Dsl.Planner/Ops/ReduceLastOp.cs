using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Sum (or mean) over the last axis, dropping it: [.., C] → [..]. Linear, so partial sums pass through;
    /// a split of the reduced axis gives partial sums.</summary>
    public sealed class ReduceLastOp : OpDef
    {
        private readonly bool _mean;
        public ReduceLastOp(bool mean) => _mean = mean;

        public override OpKind Kind => _mean ? OpKind.MeanLast : OpKind.SumLast;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank == 0) throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{Kind}: {NameOf(g, op, 0)} is a scalar; there is no axis to reduce.");
            return new Shape(x.ToArray().Take(x.Rank - 1).ToArray());
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            int rank = ShapeOf(g, op, 0).Rank;
            for (int axis = 0; axis < rank - 1; axis++) yield return new Signature(Sbp.S(axis), Sbp.S(axis));
            yield return new Signature(Sbp.P, Sbp.S(rank - 1));
            yield return new Signature(Sbp.B, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.P);
        }

        /// <summary>Every element of a row gets the row's gradient (divided by the row length for a mean).</summary>
        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.EmitExpand(dy, x, _mean));
        }
    }

    /// <summary>Repeats each element along a new last axis of the input's length (scaled by 1/length for the
    /// gradient of a mean): the gradient of <see cref="ReduceLastOp"/>.</summary>
    public sealed class ExpandLastOp : OpDef
    {
        private readonly bool _mean;
        public ExpandLastOp(bool mean) => _mean = mean;

        public override OpKind Kind => _mean ? OpKind.ExpandLastMean : OpKind.ExpandLast;

        /// <summary>Inputs: the values to repeat, and a tensor of the target shape (read for its shape only).</summary>
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            int rank = ShapeOf(g, op, 1).Rank;
            for (int axis = 0; axis < rank - 1; axis++) yield return new Signature(Sbp.S(axis), Sbp.S(axis), Sbp.S(axis));
            yield return new Signature(Sbp.S(rank - 1), Sbp.B, Sbp.S(rank - 1));
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.P, Sbp.B);
        }
    }
}
