using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean over a step's micro-batches: piece p of M adds x/M into a register that lives through the
    /// step (the first piece overwrites it). Gradients and the loss pass through it, so everything after it (the
    /// gradient collectives, clipping, the updates) runs once per step on the whole batch's mean.
    /// Args: M. Linear, so any layout passes through unchanged, partial sums included.</summary>
    public sealed class AccumulateOp : OpDef
    {
        public override OpKind Kind => OpKind.Accumulate;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => ElementwiseSignatures(ShapeOf(g, op, 0).Rank, 1, linear: true);
    }
}
