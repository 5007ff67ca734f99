using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Sum (or mean) over one axis, dropping it, as <c>torch.sum(x, dim)</c>: [.., n, ..] → [.., ..]. The axis
    /// may count from the end (−1, the default, is the last). Linear, so partial sums pass through; a split of the
    /// reduced axis gives partial sums (a mean divides by the whole axis on every device).</summary>
    /// <summary>The reduced axis as written: from the end where negative.</summary>
    internal sealed record AxisAttributes(int Axis) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis);
        public static AxisAttributes Read(AttributeReader r) => new AxisAttributes(r.Int("axis"));
    }

    internal abstract class ReduceOp : OpDef
    {
        /// <summary>The reduced axis of an input of rank <paramref name="rank"/>, counted from the front.</summary>
        public static int Axis(IOpAttributes op, int rank) => (op.Get<AxisAttributes>().Axis + rank) % System.Math.Max(rank, 1);

        /// <summary>The axis written, or the last.</summary>
        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length <= 1 ? new AxisAttributes(args.Length == 0 ? -1 : (int)args[0]) : throw BadCall(subject, $"{UserName} takes one axis after its tensor.");

        public override OpAttributes ReadAttributes(AttributeReader r) => AxisAttributes.Read(r);

        protected abstract bool Mean { get; }

        /// <summary>Opset 17 takes ReduceSum's axes as an operand but ReduceMean's still as an attribute.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            long axis = Axis(w.Op, w.InputShape(0).Rank);
            if (Mean) w.Emit("ReduceMean", new[] { w.Input(0) }, OnnxAttribute.Of("axes", new[] { axis }), OnnxAttribute.Of("keepdims", 0L));
            else w.Emit("ReduceSum", new[] { w.Input(0), w.Longs(axis) }, OnnxAttribute.Of("keepdims", 0L));
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank == 0) throw Mismatch(op, $"{UserName}: {NameOf(g, op, 0)} is a scalar; there is no axis to reduce.");
            int written = op.Get<AxisAttributes>().Axis;
            if (written < -x.Rank || written >= x.Rank)
                throw Mismatch(op, $"{UserName}: axis {written} is out of range for {NameOf(g, op, 0)} {x}; write an axis from {-x.Rank} to {x.Rank - 1}.");
            int axis = Axis(op, x.Rank);
            return new Shape(x.ToArray().Where((_, i) => i != axis).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank, axis = Axis(c.Op, rank);
            for (int i = 0; i < rank; i++)
                yield return In(Sbp.S(i)).Out(i == axis ? Sbp.P : Sbp.S(i < axis ? i : i - 1));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int rank = d.Rank(s.Inputs[0]);
            d.Reduced(s, times[0], s.Args.Count == 0 ? rank - 1 : ((int)s.Args[0] + rank) % rank);
        }

        /// <summary>Every element along the axis gets the gradient of its sum (divided by the axis length for a mean).</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            var shape = ad.ShapeOf(x);
            int axis = Axis(op, shape.Rank);
            ad.Accumulate(x, ad.Emit(OpKind.ExpandAxis, new[] { dy }, x, new ExpandAxisAttributes(axis, shape[axis], Mean ? 1.0 / shape[axis] : 1)));
        }
    }

    internal sealed class SumOp : ReduceOp
    {
        public override string UserName => "Sum";
        protected override bool Mean => false;
    }

    internal sealed class MeanOp : ReduceOp
    {
        public override string UserName => "Mean";
        protected override bool Mean => true;
    }

    /// <summary>Inserts an axis of the given length and repeats each element along it, times a scale: the gradient
    /// of <see cref="ReduceOp"/>. It reads only dy, so the reduced tensor need not live until the backward pass.</summary>
    internal sealed record ExpandAxisAttributes(int Axis, int Length, double Scale) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Int("length", Length).Double("scale", Scale);
    }

    internal sealed class ExpandAxisOp : GradientOp
    {
        /// <summary>A repeat is a broadcast along the new axis, times the scale.</summary>
        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.Scale, op.Get<ExpandAxisAttributes>().Scale);

        public override int[] PointwiseAxes(LogicalGraph g, LogicalOp op, int operand)
        {
            int axis = Attributes(op).Axis;
            return Enumerable.Range(0, ShapeOf(g, op, 0).Rank).Select(i => i < axis ? i : i + 1).ToArray();
        }

        public override string[] Operands => new[] { "dy" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new ExpandAxisAttributes(r.Int("axis"), r.Int("length"), r.Double("scale"));

        public static (int Axis, int Length, float Scale) Attributes(IOpAttributes op)
        {
            var a = op.Get<ExpandAxisAttributes>();
            return (a.Axis, a.Length, (float)a.Scale);
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var (axis, length, _) = Attributes(op);
            var dims = ShapeOf(g, op, 0).ToArray().ToList();
            dims.Insert(axis, length);
            return new Shape(dims.ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("dy").Rank + 1, axis = Attributes(c.Op).Axis;
            for (int i = 0; i < rank; i++)
                yield return In(i == axis ? Sbp.B : Sbp.S(i < axis ? i : i - 1)).Out(Sbp.S(i));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }
    }
}
