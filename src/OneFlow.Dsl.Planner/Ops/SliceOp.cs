using System.Linq;
using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Slice(x, axis, start, length) and its inverse Concat(a, b, …, axis): the sliced or joined
    /// axis must be whole on every device; any other axis may be split.</summary>
    internal static class AxisOps
    {
        /// <summary>Checks that <paramref name="axis"/> exists in input <paramref name="input"/>.</summary>
        public static int CheckedAxis(LogicalGraph g, LogicalOp op, int input, int axis, string name)
        {
            var x = g.Tensor(op.Inputs[input]).Shape;
            if (axis < 0 || axis >= x.Rank)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: axis {axis} is out of range for {g.Tensor(op.Inputs[input]).Name} {x}.");
            return axis;
        }

        public static IEnumerable<Signature> Signatures(int rank, int axis, int inputs)
        {
            for (int i = 0; i < rank; i++)
            {
                if (i == axis) continue;
                var ins = new Sbp[inputs];
                for (int k = 0; k < inputs; k++) ins[k] = Sbp.S(i);
                yield return Signature.In(ins).Out(Sbp.S(i));
            }
            var b = new Sbp[inputs];
            var p = new Sbp[inputs];
            for (int k = 0; k < inputs; k++) { b[k] = Sbp.B; p[k] = Sbp.P; }
            yield return Signature.In(b).Out(Sbp.B);
            yield return Signature.In(p).Out(Sbp.P);
        }
    }

    internal sealed record SliceAttributes(int Axis, int Start, int Length) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Int("start", Start).Int("length", Length);
    }

    internal sealed class SliceOp : OpDef
    {
        public override string UserName => "Slice";
        public override void ToOnnx(OnnxWriter w)
        {
            var (axis, start, length) = Attributes(w.Op);
            w.Emit("Slice", new[] { w.Input(0), w.Longs(start), w.Longs(start + length), w.Longs(axis) });
        }


        public static SliceAttributes Attributes(IOpAttributes op) => op.Get<SliceAttributes>();

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 3 ? new SliceAttributes((int)args[0], (int)args[1], (int)args[2]) : throw BadCall(subject, "Slice takes an axis, a start and a length after its tensor.");

        public override OpAttributes ReadAttributes(AttributeReader r) => new SliceAttributes(r.Int("axis"), r.Int("start"), r.Int("length"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var (axis, start, length) = Attributes(op);
            AxisOps.CheckedAxis(g, op, 0, axis, "Slice");
            var x = ShapeOf(g, op, 0);
            if (start < 0 || length <= 0 || start + length > x[axis])
                throw Mismatch(op, $"Slice: write Slice(x, axis, start, length) within {NameOf(g, op, 0)} {x}; axis {axis} has {x[axis]} entries.");
            return x.With(axis, length);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => AxisOps.Signatures(c.Input("x").Rank, Attributes(c.Op).Axis, 1);

        /// <summary>A slice along any axis but the positions' keeps them.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            d.Along(s, times[0], (int)s.Args[0], "slices");
            d.Emit(s, times[0]);
        }

        /// <summary>The gradient is dy placed back at its offset in zeros of x's shape.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var (axis, start, _) = Attributes(op);
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.SliceGrad, new[] { dy }, x, new SliceGradAttributes(axis, start, ad.ShapeOf(x)[axis])));
        }
    }

    /// <summary>dy written at a start along an axis into zeros of the full length: the gradient of a slice.</summary>
    internal sealed record SliceGradAttributes(int Axis, int Start, int FullLength) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Int("start", Start).Int("fullLength", FullLength);
    }

    internal sealed class SliceGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy" };
        public static SliceGradAttributes Attributes(IOpAttributes op) => op.Get<SliceGradAttributes>();
        public override OpAttributes ReadAttributes(AttributeReader r) => new SliceGradAttributes(r.Int("axis"), r.Int("start"), r.Int("fullLength"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0).With(Attributes(op).Axis, Attributes(op).FullLength);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => AxisOps.Signatures(c.Input("dy").Rank, Attributes(c.Op).Axis, 1);
    }

    /// <summary>Concat(a, b, …, axis): the operands one after another along the axis; the other dimensions must agree.</summary>
    internal sealed class ConcatOp : OpDef
    {
        public override string UserName => "Concat";
        public override string[] Operands => new[] { "a", "b" };
        public override void ToOnnx(OnnxWriter w)
            => w.Emit("Concat", Enumerable.Range(0, w.Op.Inputs.Length).Select(w.Input).ToArray(), OnnxAttribute.Of("axis", (long)Axis(w.Op)));


        public static int Axis(IOpAttributes op) => op.Get<AxisAttributes>().Axis;

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new AxisAttributes((int)args[0]) : throw BadCall(subject, "Concat takes the axis after its tensors.");

        public override OpAttributes ReadAttributes(AttributeReader r) => AxisAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            int axis = AxisOps.CheckedAxis(g, op, 0, Axis(op), "Concat");
            Shape a = ShapeOf(g, op, 0);
            int length = a[axis];
            for (int i = 1; i < op.Inputs.Length; i++)
            {
                var b = ShapeOf(g, op, i);
                if (a.Rank != b.Rank || !a.With(axis, 0).Equals(b.With(axis, 0)))
                    throw Mismatch(op, $"Concat: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, i)} is {b}; they may differ only along axis {axis}.");
                length += b[axis];
            }
            return a.With(axis, length);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => AxisOps.Signatures(c.Input("a").Rank, Axis(c.Op), c.InputCount);

        /// <summary>Operands holding their positions alike join along another axis.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            if (times.Any(t => t.Axis != times[0].Axis || t.Key != times[0].Key || t.Inner != times[0].Inner))
                throw d.Refuse(s.Output, "its operands hold their positions differently");
            int rank = d.Rank(s.Inputs[0]);
            d.Along(s, times[0], s.Args.Count == 1 ? ((int)s.Args[0] + rank) % rank : rank - 1, "joins along");
            d.Emit(s, times[0]);
        }

        /// <summary>Each operand's gradient is its slice of dy.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int axis = Axis(op), start = 0;
            foreach (int x in op.Inputs)
            {
                int length = ad.ShapeOf(x)[axis];
                if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Slice, new[] { dy }, x, new SliceAttributes(axis, start, length)));
                start += length;
            }
        }
    }
}
