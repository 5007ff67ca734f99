using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>w −= lr · g, in place on the weight's own shard; the learning rate is a run-time value.</summary>
    public sealed class SgdUpdateOp : OpDef
    {
        public override OpKind Kind => OpKind.SgdUpdate;
        public override bool HasOutput => false;
        public override bool SignaturesFollowOperands => true;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        /// <summary>The gradient must be laid out exactly as the weight: the update is local to each shard.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            var w = g.Tensor(op.Inputs[0]).Sbp[g.SignatureAxis];
            yield return new Signature(w, w, w);
        }
    }
}
