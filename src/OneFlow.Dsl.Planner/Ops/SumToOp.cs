using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Sums a tensor over the axes along which a smaller one was broadcast to it: the gradient of a
    /// broadcast operand (a bias's gradient is its output's gradient summed over the rows).</summary>
    /// <summary>The shape summed to.</summary>
    internal sealed record SumToAttributes(Shape Target) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("target", Target.ToArray());
    }

    internal sealed class SumToOp : GradientOp
    {
        public static Shape Target(IOpAttributes op) => op.Get<SumToAttributes>().Target;
        public override OpAttributes ReadAttributes(AttributeReader r) => new SumToAttributes(new Shape(r.Ints("target")));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), y = Target(op);
            if (!x.Equals(BroadcastShapes.Of(x, y)))
                throw Mismatch(op, $"SumTo: {NameOf(g, op, 0)} {x} is not a broadcast of {y}.");
            return y;
        }

        /// <summary>An axis split and kept stays split (along its place in the smaller shape); an axis split and
        /// summed away leaves partial sums.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape x = c.Input("x").Shape, y = Target(c.Op);
            var reduced = BroadcastShapes.ReducedAxes(x, y);
            for (int i = 0; i < x.Rank; i++)
                yield return In(Sbp.S(i)).Out(reduced[i] ? Sbp.P : Sbp.S(i - (x.Rank - y.Rank)));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }
    }
}
