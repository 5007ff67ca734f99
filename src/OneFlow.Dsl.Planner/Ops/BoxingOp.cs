using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Moves a tensor from one SBP to another; inserted by the planner, never written by a user, and carried
    /// out by the sessions' collectives rather than by a kernel.</summary>
    /// <summary>The SBP a boxing op converts from and to.</summary>
    internal sealed record BoxingAttributes(NdSbp From, NdSbp To) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Sbp("from", From).Sbp("to", To);
    }

    internal sealed class BoxingOp : OpDef
    {
        public static BoxingAttributes Attributes(IOpAttributes op) => op.Get<BoxingAttributes>();
        public override OpAttributes ReadAttributes(AttributeReader r) => new BoxingAttributes(r.Sbp("from"), r.Sbp("to"));
        public override string NotDifferentiable => "it is inserted after autograd";
        public override bool RunsAsKernel => false;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override bool TakesMask(int operand) => true;
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var (from, to) = Attributes(c.Op);
            yield return In(from[c.MeshAxis]).Out(to[c.MeshAxis]);
        }
    }
}
