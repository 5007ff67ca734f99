using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>a where the mask holds, b elsewhere (<c>torch.where(mask, a, b)</c>), the three broadcasting together as
    /// NumPy. The mask comes from a comparison (<see cref="ComparisonOp"/>). Partial sums of a and b pass through
    /// together, the choice being the same for both parts.</summary>
    internal sealed class WhereOp : OpDef
    {
        public override string UserName => "Where";
        public override string[] Operands => new[] { "mask", "a", "b" };
        public override bool TakesMask(int operand) => operand == 0;
        protected override string? OnnxOperator => "Where";

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Masks.Expect(g, op, 0, "Where");
            Masks.ExpectFloats(g, op, "Where", 1, 2);
            Shape mask = ShapeOf(g, op, 0), a = ShapeOf(g, op, 1), b = ShapeOf(g, op, 2);
            var ab = BroadcastShapes.Of(a, b);
            return (ab == null ? null : BroadcastShapes.Of(mask, ab))
                ?? throw Mismatch(op, $"Where: mask {NameOf(g, op, 0)} {mask}, {NameOf(g, op, 1)} {a} and {NameOf(g, op, 2)} {b} do not broadcast together.");
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape mask = c.Input("mask").Shape, a = c.Input("a").Shape, b = c.Input("b").Shape, y = c.Output;
            for (int axis = 0; axis < y.Rank; axis++)
                yield return In(BroadcastShapes.AlongOutputSplit(mask, y, axis), BroadcastShapes.AlongOutputSplit(a, y, axis), BroadcastShapes.AlongOutputSplit(b, y, axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.B, Sbp.P, Sbp.P).Out(Sbp.P);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);

        /// <summary>da = dy where the mask holds, db = dy where it does not, each summed back to its operand's shape.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            for (int side = 1; side <= 2; side++)
            {
                int x = op.Inputs[side];
                if (!ad.NeedsGradient(x)) continue;
                int share = ad.Emit(OpKind.WhereGrad, new[] { dy, op.Inputs[0] }, x, new WhereGradAttributes(side == 1));
                ad.Accumulate(x, ad.SumToShape(share, x));
            }
        }
    }

    /// <summary>x with <paramref name="value"/> written where the mask holds (<c>x.masked_fill(mask, value)</c>), the
    /// mask broadcasting to x: an attention's padding set to −∞ before the softmax.</summary>
    internal sealed class MaskedFillOp : OpDef
    {
        public override string UserName => "MaskedFill";
        public override string[] Operands => new[] { "x", "mask" };
        public override bool TakesMask(int operand) => operand == 1;

        public static float Value(IOpAttributes op) => (float)op.Get<ScalarAttributes>().Value;

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new ScalarAttributes(args[0]) : throw BadCall(subject, "MaskedFill takes the value after its tensors.");

        public override OpAttributes ReadAttributes(AttributeReader r) => ScalarAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Masks.ExpectFloats(g, op, "MaskedFill", 0);
            Masks.Expect(g, op, 1, "MaskedFill");
            Shape x = ShapeOf(g, op, 0), mask = ShapeOf(g, op, 1);
            if (!(BroadcastShapes.Of(x, mask) is Shape y) || !y.Equals(x))
                throw Mismatch(op, $"MaskedFill: mask {NameOf(g, op, 1)} {mask} does not broadcast to {NameOf(g, op, 0)} {x}; it may repeat along x's axes but not add any.");
            return x;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape mask = c.Input("mask").Shape, y = c.Output;
            for (int axis = 0; axis < y.Rank; axis++) yield return In(Sbp.S(axis), BroadcastShapes.AlongOutputSplit(mask, y, axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);

        public override void ToOnnx(OnnxWriter w) => w.Emit("Where", new[] { w.Input(1), w.Scalar(Value(w.Op)), w.Input(0) });

        /// <summary>dx = dy where the mask does not hold; the filled places do not depend on x.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.WhereGrad, new[] { dy, op.Inputs[1] }, x, new WhereGradAttributes(false)));
        }
    }

    /// <summary>Whether a <see cref="WhereGradOp"/> passes dy where the mask holds (a's share) or where it does not
    /// (b's, and x's under MaskedFill).</summary>
    internal sealed record WhereGradAttributes(bool WhereTrue) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Bool("whereTrue", WhereTrue);
    }

    /// <summary>dy where the mask is <see cref="WhereGradAttributes.WhereTrue"/>, 0 elsewhere, of dy's shape: operands
    /// (dy, mask), the mask broadcasting to dy. Linear in dy.</summary>
    internal sealed class WhereGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "mask" };
        public override bool TakesMask(int operand) => operand == 1;
        public override OpAttributes ReadAttributes(AttributeReader r) => new WhereGradAttributes(r.Bool("whereTrue"));
        public static bool WhereTrue(IOpAttributes op) => op.Get<WhereGradAttributes>().WhereTrue;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape mask = c.Input("mask").Shape, y = c.Input("dy").Shape;
            for (int axis = 0; axis < y.Rank; axis++) yield return In(Sbp.S(axis), BroadcastShapes.AlongOutputSplit(mask, y, axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }

    /// <summary>The checks of the ops that take masks.</summary>
    internal static class Masks
    {
        public static void Expect(LogicalGraph g, LogicalOp op, int operand, string opName)
        {
            var t = g.Tensor(op.Inputs[operand]);
            if (t.DType != DType.Bool)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"{opName}: the mask {t.Name} holds {t.DType}; make it with a comparison (Gt, Lt, Ge, Le, Eq, Ne, or x > y).");
        }

        public static void ExpectFloats(LogicalGraph g, LogicalOp op, string opName, params int[] operands)
        {
            foreach (int i in operands)
                if (g.Tensor(op.Inputs[i]).DType != DType.F32)
                    throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{opName}: {g.Tensor(op.Inputs[i]).Name} holds {g.Tensor(op.Inputs[i]).DType} but must hold floats.");
        }
    }
}
