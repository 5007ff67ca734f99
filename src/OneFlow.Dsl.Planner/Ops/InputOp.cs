using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reads a batch fed by the host: the data input or the labels.</summary>
    public sealed class InputOp : OpDef
    {
        public override OpKind Kind => OpKind.Input;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => Shape.Scalar;
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) { yield break; }
    }
}
