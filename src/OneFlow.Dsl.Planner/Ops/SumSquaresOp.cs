using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Σ x², a scalar: one term of a gradient's squared norm, for clipping by the global norm. A split
    /// tensor's parts give partial sums; squares of partial sums do not add up, so a partial tensor is reduced first.</summary>
    internal sealed class SumSquaresOp : GradientOp
    {
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => Shape.Scalar;
        public override double Flops(LogicalGraph g, LogicalOp op) => 2 * ShapeOf(g, op, 0).Elements;

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            for (int axis = 0; axis < c.Input("x").Rank; axis++) yield return In(Sbp.S(axis)).Out(Sbp.P);
            yield return In(Sbp.B).Out(Sbp.B);
        }
    }
}
