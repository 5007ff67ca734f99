using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The one constant of an op of a tensor and a number (Scale's factor, AddScalar's term).</summary>
    internal sealed record ScalarAttributes(double Value) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("value", Value);
        public static ScalarAttributes Read(AttributeReader r) => new ScalarAttributes(r.Double("value"));
    }

    /// <summary>y = f(x) element by element: any axis may be split, and partial sums pass only through a linear f.</summary>
    internal abstract class ElementwiseOp : OpDef
    {
        /// <summary>True when f(a + b) = f(a) + f(b), so that a partial sum may pass through unreduced.</summary>
        protected virtual bool Linear => false;

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => ElementwiseSignatures(c.Input("x").Rank, 1, Linear);

        /// <summary>Each element depends on its own position alone.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => d.Emit(s, times[0]);

        /// <summary>A call's one constant argument, checked to be a finite number.</summary>
        protected static ScalarAttributes FiniteConstant(string subject, double[] args, string message)
            => args.Length == 1 && !double.IsNaN(args[0]) && !double.IsInfinity(args[0]) ? new ScalarAttributes(args[0]) : throw BadCall(subject, message);

        /// <summary>The usual rule: dx = <paramref name="kind"/>(dy, saved), saved being the op's input or output.</summary>
        protected static void Through(GradientBuilder ad, LogicalOp op, int dy, OpKind kind, int saved)
            => Into(ad, op, x => ad.Emit(kind, new[] { dy, saved }, x));

        /// <summary>Adds <paramref name="gradient"/>(x) to the gradient of the operand x, where it needs one.</summary>
        protected static void Into(GradientBuilder ad, LogicalOp op, System.Func<int, int> gradient)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, gradient(x));
        }
    }

    /// <summary>dx = dy · f'(saved) element by element, saved being the forward op's input or output: linear in dy,
    /// so dy may be a partial sum where the saved tensor is whole.</summary>
    internal abstract class ElementwiseGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "saved" };

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (!ShapeOf(g, op, 0).Equals(ShapeOf(g, op, 1)))
                throw Mismatch(op, $"{Kind}: dy is {ShapeOf(g, op, 0)} but the saved tensor is {ShapeOf(g, op, 1)}.");
            return ShapeOf(g, op, 1);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            foreach (var s in ElementwiseSignatures(c.Input("dy").Rank, 2, linear: false)) yield return s;
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }
}
