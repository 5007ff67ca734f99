using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A tensor of one constant value: the 1 that seeds the loss's gradient. Whole on every device.</summary>
    internal sealed class FillOp : OpDef
    {
        public override string NotDifferentiable => "it is a constant";

        public static double[] Arguments(double value, Shape shape) => new[] { value }.Concat(Numbers(shape)).ToArray();

        public static float Value(IOpAttributes op) => (float)op.Args[0];

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => new Shape(op.Args.Skip(1).Select(d => (int)d).ToArray());

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) { yield return new Signature(Sbp.B); }
    }
}
