using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The axis of a running sum (from the end where negative), and whether it runs from the end: the
    /// gradient of a running sum is the running sum of dy from the other end.</summary>
    internal sealed record CumsumAttributes(int Axis, bool Reverse) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Bool("reverse", Reverse);
    }

    /// <summary>y[.., i, ..] = Σ_{j ≤ i} x[.., j, ..] along one axis (<c>torch.cumsum(x, dim)</c>). Linear, so partial
    /// sums pass through; the summed axis must be whole on every device, any other may be split.</summary>
    internal sealed class CumsumOp : OpDef
    {
        public override string UserName => "Cumsum";

        /// <summary>The axis counted from the front, and the direction.</summary>
        public static (int Axis, bool Reverse) Attributes(IOpAttributes op, int rank)
        {
            var a = op.Get<CumsumAttributes>();
            return ((a.Axis + rank) % System.Math.Max(rank, 1), a.Reverse);
        }

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new CumsumAttributes((int)args[0], false) : throw BadCall(subject, "Cumsum takes the axis after its tensor.");

        public override OpAttributes ReadAttributes(AttributeReader r) => new CumsumAttributes(r.Int("axis"), r.Bool("reverse"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            int written = op.Get<CumsumAttributes>().Axis;
            if (x.Rank == 0 || written < -x.Rank || written >= x.Rank)
                throw Mismatch(op, $"Cumsum: axis {written} is out of range for {NameOf(g, op, 0)} {x}; write an axis from {-x.Rank} to {x.Rank - 1}.");
            return x;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank;
            return AxisOps.Signatures(rank, Attributes(c.Op, rank).Axis, 1);
        }

        public override void ToOnnx(OnnxWriter w)
        {
            var (axis, reverse) = Attributes(w.Op, w.InputShape(0).Rank);
            w.Emit("CumSum", new[] { w.Input(0), w.Longs(axis) }, OnnxAttribute.Of("reverse", reverse ? 1L : 0L));
        }

        /// <summary>dx = the running sum of dy from the other end.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var a = op.Get<CumsumAttributes>();
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Cumsum, new[] { dy }, x, new CumsumAttributes(a.Axis, !a.Reverse)));
        }
    }
}
