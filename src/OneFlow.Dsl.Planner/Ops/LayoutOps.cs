using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reshape(x, d0, d1, ...): the same elements in row-major order under a new shape; one dimension may
    /// be −1, inferred from the others.</summary>
    /// <summary>The shape as written, −1 where it is inferred.</summary>
    internal sealed record ReshapeAttributes(long[] Dims) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("dims", Dims);
    }

    internal sealed class ReshapeOp : OpDef
    {
        public override string UserName => "Reshape";
        /// <summary>The shape as written: its −1 is the batch axis that the exported model leaves open.</summary>
        public override void ToOnnx(OnnxWriter w) => w.Emit("Reshape", new[] { w.Input(0), w.Longs(Written(w.Op)) });


        /// <summary>The shape as written, −1 where it is inferred.</summary>
        public static long[] Written(IOpAttributes op) => op.Get<ReshapeAttributes>().Dims;
        public override OpAttributes FromCall(string subject, double[] args) => new ReshapeAttributes(args.Select(a => (long)a).ToArray());
        public override OpAttributes ReadAttributes(AttributeReader r) => new ReshapeAttributes(r.Longs("dims"));

        /// <summary>Moves elements without reading them: integers stay integers.</summary>
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override bool TakesMask(int operand) => true;

        /// <summary>Each device's part is its input's part, the same elements in the same order.</summary>
        public override bool IsView => true;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            var dims = Written(op);
            long known = dims.Where(d => d > 0).Aggregate(1L, (p, d) => p * d);
            int inferred = dims.Count(d => d == -1);
            if (inferred > 1 || dims.Any(d => d == 0 || d < -1) || (inferred == 1 && (known == 0 || x.Elements % known != 0)))
                throw Mismatch(op, $"Reshape: give the new shape of {NameOf(g, op, 0)} {x} as positive sizes, at most one of them −1.");
            var shape = new Shape(dims.Select(d => d == -1 ? (int)(x.Elements / known) : (int)d).ToArray());
            if (shape.Elements != x.Elements)
                throw Mismatch(op, $"Reshape: {NameOf(g, op, 0)} is {x} ({x.Elements} elements) but {shape} holds {shape.Elements}; " +
                    "write -1 for the axis that takes the rest (the batch axis, so that the reshape also fits a micro-batch).");
            return shape;
        }

        /// <summary>A split survives when everything before its axis keeps its size and either the axis keeps its
        /// length, or (on n devices) both the old and the new axis divide by n, as when a split batch [B,T,C] becomes
        /// [B·T,C]: the parts are then the same runs of elements before and after.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape x = c.Input("x").Shape, y = c.Output;
            for (int i = 0; i < x.Rank; i++)
                for (int j = 0; j < y.Rank; j++)
                    if (Prefix(x, i) == Prefix(y, j) && (x[i] == y[j] || Divides(c.Devices, x[i], y[j])))
                        yield return In(Sbp.S(i)).Out(Sbp.S(j));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        private static bool Divides(int devices, int a, int b) => devices > 1 && a % devices == 0 && b % devices == 0;

        private static long Prefix(Shape s, int axis)
        {
            long p = 1;
            for (int a = 0; a < axis; a++) p *= s[a];
            return p;
        }

        /// <summary>The position axis stays whole: it lands where its elements go, and a written length that counted
        /// every position counts one.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            var x = times[0];
            Shape from = d.ShapeOf(s.Inputs[0]), to = d.ShapeOf(s.Output);
            var written = s.Args.ToArray();
            int axis = -1, inner = 0, key = -1;
            if (x.Axis >= 0)
            {
                (axis, inner) = d.Land(s, from, x.Axis, x.Inner, to);
                if (written[axis] != -1) written[axis] /= d.Context;
            }
            if (x.Key >= 0)
            {
                int keyInner;
                (key, keyInner) = d.Land(s, from, x.Key, 1, to);
                if (keyInner != 1 || to[key] != d.Context) throw d.Refuse(s.Output, "it merges the cached positions with another axis");
            }
            d.Emit(s with { Args = new EquatableArray<double>(written) }, new PositionAxes(axis, inner, key));
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.Reshape, new[] { dy }, x, new ReshapeAttributes(ad.ShapeOf(x).ToArray().Select(d => (long)d).ToArray())));
        }
    }

    /// <summary>Reorders the axes: output axis i is input axis axes[i], as
    /// <c>torch.permute</c>; [B, T, H, d] → [B, H, T, d] splits attention into heads. A split moves with its axis.</summary>
    internal sealed record PermuteAttributes(int[] Axes) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("axes", Axes);
    }

    internal sealed class PermuteOp : OpDef
    {
        public override string UserName => "Permute";
        public override void ToOnnx(OnnxWriter w)
        {
            int rank = w.InputShape(0).Rank;
            w.Emit("Transpose", new[] { w.Input(0) }, OnnxAttribute.Of("perm", Axes(w.Op).Select(a => (long)((a + rank) % rank)).ToArray()));
        }


        public static int[] Axes(IOpAttributes op) => op.Get<PermuteAttributes>().Axes;
        public override OpAttributes FromCall(string subject, double[] args) => new PermuteAttributes(args.Select(a => (int)a).ToArray());
        public override OpAttributes ReadAttributes(AttributeReader r) => new PermuteAttributes(r.Ints("axes"));

        /// <summary>Moves elements without reading them: integers stay integers.</summary>
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override bool TakesMask(int operand) => true;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            var axes = Axes(op);
            if (axes.Length != x.Rank || !axes.OrderBy(a => a).SequenceEqual(Enumerable.Range(0, x.Rank)))
                throw Mismatch(op, $"Permute: {NameOf(g, op, 0)} is {x}; the axes ({string.Join(", ", axes)}) must name each of its {x.Rank} axes once.");
            return new Shape(axes.Select(a => x[a]).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var axes = Axes(c.Op);
            for (int i = 0; i < axes.Length; i++) yield return In(Sbp.S(axes[i])).Out(Sbp.S(i));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int rank = d.Rank(s.Inputs[0]);
            var order = s.Args.Select(a => ((int)a + rank) % rank).ToList();
            d.Emit(s, times[0].Moved(a => order.IndexOf(a)));
        }

        /// <summary>The gradient is dy permuted back.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            var axes = Axes(op);
            var inverse = new int[axes.Length];
            for (int i = 0; i < axes.Length; i++) inverse[axes[i]] = i;
            ad.Accumulate(x, ad.Emit(OpKind.Permute, new[] { dy }, x, new PermuteAttributes(inverse)));
        }
    }

    /// <summary>Swaps the last two axes (a matrix's transpose; for a batch, each matrix's, as kᵀ in attention): a
    /// split of rows becomes a split of columns and back, a split batch stays split.</summary>
    internal sealed class TransposeOp : OpDef
    {
        public override string UserName => "Transpose";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Transpose", new[] { w.Input(0) }, OnnxAttribute.Of("perm", OnnxWriter.LastTwoSwapped(w.InputShape(0).Rank)));


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank < 2)
                throw Mismatch(op, $"Transpose: {NameOf(g, op, 0)} is {x} but must have at least two axes.");
            int r = x.Rank;
            return x.With(r - 2, x[r - 1]).With(r - 1, x[r - 2]);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int r = c.Input("x").Rank;
            for (int k = 0; k < r - 2; k++) yield return In(Sbp.S(k)).Out(Sbp.S(k));
            yield return In(Sbp.S(r - 2)).Out(Sbp.S(r - 1));
            yield return In(Sbp.S(r - 1)).Out(Sbp.S(r - 2));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        /// <summary>The last two axes trade places, and the positions with them.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int r = d.Rank(s.Inputs[0]);
            d.Emit(s, times[0].Moved(a => a < r - 2 ? a : 2 * r - 3 - a));
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Transpose, new[] { dy }, x));
        }
    }

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
