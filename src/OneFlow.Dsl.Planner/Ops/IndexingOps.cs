using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The axis an indexing op reads along (from the end where negative, as written), and for IndexSelect's
    /// gradient the length of that axis in x, which dy cannot tell.</summary>
    internal sealed record IndexingAttributes(int Axis, int Length = 0) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Int("length", Length);
        public static IndexingAttributes Read(AttributeReader r) => new IndexingAttributes(r.Int("axis"), r.Int("length"));

        /// <summary>The axis counted from the front of a rank-<paramref name="rank"/> tensor.</summary>
        public int AxisOf(int rank) => Axis < 0 ? Axis + rank : Axis;

        public static IndexingAttributes FromCall(string subject, double[] args, string op)
            => args.Length == 1 ? new IndexingAttributes((int)args[0])
                : throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{op} takes the axis after its tensor and before the indices.");
    }

    /// <summary>Shared checks of the indexing ops.</summary>
    internal static class Indexing
    {
        public static int CheckedAxis(LogicalGraph g, LogicalOp op, string name)
        {
            var x = g.Tensor(op.Inputs[0]).Shape;
            int written = op.Get<IndexingAttributes>().Axis, axis = op.Get<IndexingAttributes>().AxisOf(x.Rank);
            if (axis < 0 || axis >= x.Rank)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: axis {written} is out of range for {g.Tensor(op.Inputs[0]).Name} {x}; write an axis from {-x.Rank} to {x.Rank - 1}.");
            var index = g.Tensor(op.Inputs[1]);
            if (index.DType != DType.I32)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: the indices {index.Name} must be integers: an [Input(...), Ids] input or ArgMax's positions.");
            return axis;
        }

        /// <summary>The gradient's x: dy's shape with the gathered axis at x's length.</summary>
        public static Shape WithLength(Shape shape, int axis, int length)
        {
            var dims = shape.ToArray();
            dims[axis] = length;
            return new Shape(dims);
        }
    }

    /// <summary>y[i, j, k] = x[i, index[i, j, k], k] along axis 1, and so on for any axis (<c>torch.gather(x, axis,
    /// index)</c>): y has the index's shape, which may be shorter than x's along the other axes. Linear in x.</summary>
    internal sealed class GatherOp : OpDef
    {
        public override string UserName => "Gather";
        public override string[] Operands => new[] { "x", "index" };
        public override int[] IntegerOperands => new[] { 1 };
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (1, inputs[0][op.Get<IndexingAttributes>().AxisOf(inputs[0].Rank)]); }
        public override OpAttributes FromCall(string subject, double[] args) => IndexingAttributes.FromCall(subject, args, "Gather");
        public override OpAttributes ReadAttributes(AttributeReader r) => IndexingAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            int axis = Indexing.CheckedAxis(g, op, "Gather");
            Shape x = ShapeOf(g, op, 0), index = ShapeOf(g, op, 1);
            if (index.Rank != x.Rank)
                throw Mismatch(op, $"Gather: the index {NameOf(g, op, 1)} is {index} but must have the rank of {NameOf(g, op, 0)} {x}.");
            for (int d = 0; d < x.Rank; d++)
                if (d != axis && index[d] > x[d])
                    throw Mismatch(op, $"Gather: the index {NameOf(g, op, 1)} {index} is longer than {NameOf(g, op, 0)} {x} along axis {d}; away from the gathered axis it may be shorter, not longer.");
            return index;
        }

        /// <summary>Axes away from the gathered one split alike where x and the index have the same length there; x's
        /// partial sums pass.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape x = c.Input("x").Shape, index = c.Input("index").Shape;
            int axis = c.Op.Get<IndexingAttributes>().AxisOf(x.Rank);
            for (int d = 0; d < x.Rank; d++)
                if (d != axis && x[d] == index[d]) yield return In(Sbp.S(d), Sbp.S(d)).Out(Sbp.S(d));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }

        public override void ToOnnx(OnnxWriter w)
            => w.Emit("GatherElements", new[] { w.Input(0), w.Input(1) }, Onnx.OnnxAttribute.Of("axis", (long)w.Op.Get<IndexingAttributes>().AxisOf(w.InputShape(0).Rank)));

        /// <summary>dx: dy added at the places the index read (a scatter-add).</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            var xs = ad.ShapeOf(x);
            int axis = op.Get<IndexingAttributes>().AxisOf(xs.Rank);
            ad.Accumulate(x, ad.Emit(OpKind.GatherGrad, new[] { dy, op.Inputs[1] }, x, new GatherGradAttributes(axis, xs)));
        }
    }

    /// <summary>A gather gradient's axis and x's whole shape (the index may be shorter than x along any axis).</summary>
    internal sealed record GatherGradAttributes(int Axis, Shape Input) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Ints("input", Input.ToArray());
        public static GatherGradAttributes Read(AttributeReader r) => new GatherGradAttributes(r.Int("axis"), new Shape(r.Ints("input")));
    }

    /// <summary>dx of a gather: zeros of x's shape with dy added where the index points. Operands (dy, index).</summary>
    internal sealed class GatherGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "index" };
        public override OpAttributes ReadAttributes(AttributeReader r) => GatherGradAttributes.Read(r);
        public static int Axis(IOpAttributes op) => op.Get<GatherGradAttributes>().Axis;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => op.Get<GatherGradAttributes>().Input;

        /// <summary>Axes away from the gathered one split alike where dy and x have the same length there.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var a = c.Op.Get<GatherGradAttributes>();
            Shape dy = c.Input("dy").Shape;
            for (int d = 0; d < dy.Rank; d++)
                if (d != a.Axis && dy[d] == a.Input[d]) yield return In(Sbp.S(d), Sbp.S(d)).Out(Sbp.S(d));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }

    /// <summary>The entries of x at <c>ids</c> along one axis (<c>torch.index_select(x, axis, ids)</c>): ids [k] of
    /// integers, y of x's shape with that axis k long. Embedding is its case of axis 0 for ids of any shape.</summary>
    internal sealed class IndexSelectOp : OpDef
    {
        public override string UserName => "IndexSelect";
        public override string[] Operands => new[] { "x", "ids" };
        public override int[] IntegerOperands => new[] { 1 };
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (1, inputs[0][op.Get<IndexingAttributes>().AxisOf(inputs[0].Rank)]); }
        public override OpAttributes FromCall(string subject, double[] args) => IndexingAttributes.FromCall(subject, args, "IndexSelect");
        public override OpAttributes ReadAttributes(AttributeReader r) => IndexingAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            int axis = Indexing.CheckedAxis(g, op, "IndexSelect");
            Shape x = ShapeOf(g, op, 0), ids = ShapeOf(g, op, 1);
            if (ids.Rank != 1) throw Mismatch(op, $"IndexSelect: the ids {NameOf(g, op, 1)} are {ids} but must be one list [k].");
            return Indexing.WithLength(x, axis, ids[0]);
        }

        /// <summary>Other axes split with ids whole; ids split give the selected axis split; x's partial sums pass.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank, axis = c.Op.Get<IndexingAttributes>().AxisOf(rank);
            for (int d = 0; d < rank; d++)
                if (d != axis) yield return In(Sbp.S(d), Sbp.B).Out(Sbp.S(d));
            yield return In(Sbp.B, Sbp.S(0)).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }

        public override void ToOnnx(OnnxWriter w)
            => w.Emit("Gather", new[] { w.Input(0), w.Input(1) }, Onnx.OnnxAttribute.Of("axis", (long)w.Op.Get<IndexingAttributes>().AxisOf(w.InputShape(0).Rank)));

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            var xs = ad.ShapeOf(x);
            int axis = op.Get<IndexingAttributes>().AxisOf(xs.Rank);
            ad.Accumulate(x, ad.Emit(OpKind.IndexSelectGrad, new[] { dy, op.Inputs[1] }, x, new IndexingAttributes(axis, xs[axis])));
        }
    }

    /// <summary>dx of an index select: zeros with each dy entry added at its id along the axis. Ids split give each
    /// device a partial sum of the whole dx.</summary>
    internal sealed class IndexSelectGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "ids" };
        public override OpAttributes ReadAttributes(AttributeReader r) => IndexingAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var a = op.Get<IndexingAttributes>();
            return Indexing.WithLength(ShapeOf(g, op, 0), a.Axis, a.Length);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("dy").Rank, axis = c.Op.Get<IndexingAttributes>().Axis;
            for (int d = 0; d < rank; d++)
                if (d != axis) yield return In(Sbp.S(d), Sbp.B).Out(Sbp.S(d));
            yield return In(Sbp.S(axis), Sbp.S(0)).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }
}
