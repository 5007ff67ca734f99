using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Sums a tensor over the axes along which a smaller one was broadcast to it: the gradient of a
    /// broadcast operand (a bias's gradient is its output's gradient summed over the rows).</summary>
    internal sealed class SumToOp : GradientOp
    {

        /// <summary>The shape summed to.</summary>
        public static Shape Target(IOpAttributes op) => new Shape(op.Args.Select(a => (int)a).ToArray());

        public static double[] Arguments(Shape target) => Numbers(target);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), y = Target(op);
            if (!x.Equals(BroadcastShapes.Of(x, y)))
                throw Mismatch(op, $"SumTo: {NameOf(g, op, 0)} {x} is not a broadcast of {y}.");
            return y;
        }

        /// <summary>An axis split and kept stays split (along its place in the smaller shape); an axis split and
        /// summed away leaves partial sums.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), y = Target(op);
            var reduced = BroadcastShapes.ReducedAxes(x, y);
            for (int i = 0; i < x.Rank; i++)
                yield return new Signature(reduced[i] ? Sbp.P : Sbp.S(i - (x.Rank - y.Rank)), Sbp.S(i));
            yield return new Signature(Sbp.B, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.P);
        }
    }
}
