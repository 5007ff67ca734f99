using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Moves a tensor from one SBP to another; inserted by the planner, never written by a user, and carried
    /// out by the sessions' collectives rather than by a kernel.</summary>
    internal sealed class BoxingOp : OpDef
    {
        public override string NotDifferentiable => "it is inserted after autograd";
        public override bool RunsAsKernel => false;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) { yield return new Signature(op.To[g.SignatureAxis], op.From[g.SignatureAxis]); }
    }
}
