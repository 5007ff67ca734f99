using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean over every row of −log softmax(logits)[label]: logits [N,…,C], integer labels [N,…] (one per
    /// row: every axis but the last), a scalar out. Written as its parts so that SBP can split the logits either way:
    /// by rows (data parallel), or by class (a classifier head too wide for one device, split with its weight's
    /// columns), where each device reduces its own classes and only [N] vectors cross devices — the chunk maxima
    /// gathered, the sums of exponentials and the picked logits summed — and no device holds [N, C].
    /// Per row: m = the largest of the chunk maxima, loss = log Σ exp(x − m) + m − x[label].</summary>
    internal sealed class SoftmaxCrossEntropyOp : CompositeOp
    {
        public override string UserName => "SoftmaxCrossEntropy";

        public override string[] Operands => new[] { "logits", "labels" };
        public override int[] IntegerOperands => new[] { 1 };

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            int logits = inputs[0], labels = inputs[1];
            Shape x = b.ShapeOf(logits), y = b.ShapeOf(labels);
            if (x.Rank < 2 || y.Rank != x.Rank - 1 || !Enumerable.Range(0, y.Rank).All(k => y[k] == x[k]))
                throw b.Mismatch($"SoftmaxCrossEntropy: {b.NameOf(logits)} is {x} but {b.NameOf(labels)} is {y}; one label per row is needed.");
            int count = System.Math.Min(b.Devices, x[x.Rank - 1]);
            int chunks = b.Add(OpKind.ChunkMax, new[] { logits }, "chunks", new ChunkAttributes(count));
            // One chunk holds the rows' maxima already: a reshape, which the memory plan makes a view of them (the batch
            // axis left open, as an exported model's).
            int max = count == 1 ? b.Add(OpKind.Reshape, new[] { chunks }, "max", new ReshapeAttributes(y.ToArray().Select((d, i) => i == 0 ? -1L : d).ToArray()))
                : b.Add(OpKind.MaxLast, new[] { chunks }, "max");
            int sum = b.Add(OpKind.SumExp, new[] { logits, max }, "sumexp");
            int picked = b.Add(OpKind.PickClass, new[] { logits, labels }, "picked");
            int loss = b.Add(OpKind.CrossEntropyRows, new[] { sum, max, picked }, "rows");
            for (int axis = y.Rank - 1; axis >= 0; axis--) loss = b.Add(OpKind.Mean, new[] { loss }, "mean" + axis, new AxisAttributes(-1));
            return loss;
        }

        /// <summary>The signatures of a row op over logits [.., C] and operands of the rows' shape [..]: any row axis split
        /// alike, or all whole.</summary>
        internal static IEnumerable<Signature> ByRows(int rowRank, Sbp[] rowShaped)
        {
            for (int a = 0; a < rowRank; a++) yield return In(rowShaped.Select(_ => Sbp.S(a)).ToArray()).Out(Sbp.S(a));
            yield return In(rowShaped.Select(_ => Sbp.B).ToArray()).Out(Sbp.B);
        }

        internal static void ExpectRows(LogicalGraph g, LogicalOp op, int input, Shape logits, string name)
        {
            var rows = g.Tensor(op.Inputs[input]).Shape;
            if (rows.Rank != logits.Rank - 1 || !Enumerable.Range(0, rows.Rank).All(k => rows[k] == logits[k]))
                throw Mismatch(op, $"{name}: {NameOf(g, op, input)} is {rows} but the logits are {logits}; one value per row is needed.");
        }
    }

    /// <summary>The largest logit of each of K chunks of the classes, [.., C] → [.., K], the chunks as a split over K
    /// devices cuts them: split by class over K devices, each device finds its own chunk's maximum. The argument is K.</summary>
    internal sealed record ChunkAttributes(int Chunks) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("chunks", Chunks);
    }

    internal sealed class ChunkMaxOp : OpDef
    {
        public override OpAttributes ReadAttributes(AttributeReader r) => new ChunkAttributes(r.Int("chunks"));
        public override string NotDifferentiable => "it only shifts the exponentials, and the loss does not depend on the shift";

        public static int Chunks(IOpAttributes op) => op.Get<ChunkAttributes>().Chunks;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            return x.With(x.Rank - 1, Chunks(op));
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank, chunks = Chunks(c.Op);
            for (int a = 0; a < rank - 1; a++) yield return In(Sbp.S(a)).Out(Sbp.S(a));
            yield return In(Sbp.B).Out(Sbp.B);
            if (chunks > 1 && c.Devices == chunks) yield return In(Sbp.S(rank - 1)).Out(Sbp.S(rank - 1));
        }

        public override void ToOnnx(OnnxWriter w)
        {
            var x = w.InputShape(0);
            int classes = x[x.Rank - 1], chunks = Chunks(w.Op);
            var sizes = Enumerable.Range(0, chunks).Select(k => (long)Partition.Length(classes, chunks, k)).ToArray();
            var parts = w.Nodes("Split", new[] { w.Input(0), w.Longs(sizes) }, chunks, OnnxAttribute.Of("axis", -1L));
            var maxima = parts.Select(p => w.Node("ReduceMax", new[] { p }, OnnxAttribute.Of("axes", new[] { -1L }), OnnxAttribute.Of("keepdims", 1L))).ToArray();
            w.Emit("Concat", maxima, OnnxAttribute.Of("axis", -1L));
        }
    }

    /// <summary>An op reducing each row of logits [.., C], with a second operand of one value per row: a row axis split
    /// alike, all whole, or the classes split (each device reduces its own: partial sums).</summary>
    internal abstract class ClassReductionOp : OpDef
    {
        public override string[] Operands => new[] { "logits", "rows" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            SoftmaxCrossEntropyOp.ExpectRows(g, op, 1, x, "SoftmaxCrossEntropy");
            return new Shape(x.ToArray().Take(x.Rank - 1).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("logits").Rank;
            foreach (var s in SoftmaxCrossEntropyOp.ByRows(rank - 1, new[] { Sbp.B, Sbp.B })) yield return s;
            yield return In(Sbp.S(rank - 1), Sbp.B).Out(Sbp.P);
        }
    }

    /// <summary>Σ_c exp(x[.., c] − m[..]) per row: logits [.., C] and a shift per row [..]. Split by class it gives each
    /// device's partial sum. The shift gets no gradient (the loss does not depend on it).</summary>
    internal sealed class SumExpOp : ClassReductionOp
    {

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.SumExpGrad, new[] { dy, x, op.Inputs[1] }, x));
        }

        public override void ToOnnx(OnnxWriter w)
        {
            string shift = w.Node("Unsqueeze", new[] { w.Input(1), w.Longs(-1) });
            w.Emit("ReduceSum", new[] { w.Node("Exp", new[] { w.Node("Sub", new[] { w.Input(0), shift }) }), w.Longs(-1) }, OnnxAttribute.Of("keepdims", 0L));
        }
    }

    /// <summary>dx[.., c] = ds[..] · exp(x[.., c] − m[..]): operands (ds, x, m).</summary>
    internal sealed class SumExpGradOp : GradientOp
    {
        public override string[] Operands => new[] { "ds", "x", "m" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);

        public override PointwiseForm? Pointwise(IOpAttributes op) => new PointwiseForm(PointwiseCode.SumExpGrad);

        /// <summary>A row's ds and m repeat along the classes (the last axis); x runs along every axis.</summary>
        public override int[] PointwiseAxes(LogicalGraph g, LogicalOp op, int operand)
            => Enumerable.Range(0, ShapeOf(g, op, operand).Rank).ToArray();

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank;
            for (int a = 0; a < rank - 1; a++) yield return In(Sbp.S(a), Sbp.S(a), Sbp.S(a)).Out(Sbp.S(a));
            yield return In(Sbp.B, Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.B, Sbp.S(rank - 1), Sbp.B).Out(Sbp.S(rank - 1));
            yield return In(Sbp.P, Sbp.B, Sbp.B).Out(Sbp.P);
        }
    }

    /// <summary>x[.., label[..]] per row: logits [.., C] and integer labels [..]. Split by class, the device owning a
    /// row's label gives its logit and the others 0: partial sums.</summary>
    internal sealed class PickClassOp : ClassReductionOp
    {
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (1, inputs[0][inputs[0].Rank - 1]); }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (g.Tensor(op.Inputs[1]).DType != DType.I32)
                throw Mismatch(op, $"SoftmaxCrossEntropy: {NameOf(g, op, 1)} must hold integer class ids; pass the Loss's labels to it as they are, or mark them [Ids].");
            return base.InferShape(g, op);
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var classes = ad.ShapeOf(x);
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.PickClassGrad, new[] { dy, op.Inputs[1] }, x, new ClassesAttributes(classes[classes.Rank - 1])));
        }

        public override void ToOnnx(OnnxWriter w)
        {
            string index = w.Node("Unsqueeze", new[] { w.Node("Cast", new[] { w.Input(1) }, OnnxAttribute.Of("to", 7L)), w.Longs(-1) });
            w.Emit("Squeeze", new[] { w.Node("GatherElements", new[] { w.Input(0), index }, OnnxAttribute.Of("axis", -1L)), w.Longs(-1) });
        }
    }

    /// <summary>dx[.., c] = dy[..] where c = label[..], else 0: operands (dy, labels), argument the number of classes.
    /// From whole operands each device writes its own classes.</summary>
    internal sealed record ClassesAttributes(int Classes) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("classes", Classes);
    }

    internal sealed class PickClassGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "labels" };
        public static int Classes(IOpAttributes op) => op.Get<ClassesAttributes>().Classes;
        public override OpAttributes ReadAttributes(AttributeReader r) => new ClassesAttributes(r.Int("classes"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0);
            return new Shape(dy.ToArray().Concat(new[] { Classes(op) }).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("dy").Rank + 1;
            foreach (var s in SoftmaxCrossEntropyOp.ByRows(rank - 1, new[] { Sbp.B, Sbp.B })) yield return s;
            yield return In(Sbp.B, Sbp.B).Out(Sbp.S(rank - 1));
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }

    /// <summary>log s + m − p per row: the cross-entropy of a row from its sum of shifted exponentials s, the shift m
    /// and the label's logit p. The shift gets no gradient: through s it would get −1 and here +1.</summary>
    internal sealed class CrossEntropyRowsOp : OpDef
    {
        public override string[] Operands => new[] { "s", "m", "p" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var s = ShapeOf(g, op, 0);
            for (int i = 1; i < 3; i++)
                if (!ShapeOf(g, op, i).Equals(s)) throw Mismatch(op, $"CrossEntropyRows: {NameOf(g, op, i)} is {ShapeOf(g, op, i)} but {NameOf(g, op, 0)} is {s}.");
            return s;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => ElementwiseSignatures(c.Input("s").Rank, 3, linear: false);

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int s = op.Inputs[0], picked = op.Inputs[2];
            if (ad.NeedsGradient(s)) ad.Accumulate(s, ad.Div(dy, s, s));
            if (ad.NeedsGradient(picked)) ad.Accumulate(picked, ad.Neg(dy, picked));
        }

        public override void ToOnnx(OnnxWriter w)
            => w.Emit("Sub", new[] { w.Node("Add", new[] { w.Node("Log", new[] { w.Input(0) }), w.Input(1) }), w.Input(2) });
    }
}
