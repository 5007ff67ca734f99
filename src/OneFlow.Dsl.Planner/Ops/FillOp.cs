using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A tensor of one constant value: the 1 that seeds the loss's gradient. Whole on every device.</summary>
    internal sealed record FillAttributes(double Value, Shape Shape) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("value", Value).Ints("shape", Shape.ToArray());
    }

    internal sealed class FillOp : OpDef
    {
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Fill, op.Get<FillAttributes>().Value);
        public override string NotDifferentiable => "it is a constant";
        public override string[] Operands => new string[0];

        public static float Value(IOpAttributes op) => (float)op.Get<FillAttributes>().Value;
        public override OpAttributes ReadAttributes(AttributeReader r) => new FillAttributes(r.Double("value"), new Shape(r.Ints("shape")));

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => op.Get<FillAttributes>().Shape;

        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In().Out(Sbp.B); }
    }
}
