using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>y = op(a) · op(b), op = transpose when the flag is set; a is m×k, b is k×n after op. Tensors of
    /// higher rank are batches of matrices over their last two axes (the leading axes equal): q·kᵀ in attention.</summary>
    internal sealed record MatMulAttributes(bool TransA, bool TransB) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Bool("transA", TransA).Bool("transB", TransB);
    }

    internal sealed class MatMulOp : OpDef
    {
        public override string UserName => "MatMul";
        public override string[] Operands => new[] { "a", "b" };

        private static readonly MatMulAttributes Plain = new MatMulAttributes(false, false);

        /// <summary>The transposes; an op without attributes (as users write it) has none.</summary>
        public static MatMulAttributes Attributes(IOpAttributes op) => op.Attributes as MatMulAttributes ?? Plain;

        public override OpAttributes? ReadAttributes(AttributeReader r) => r.IsEmpty ? null : new MatMulAttributes(r.Bool("transA"), r.Bool("transB"));

        /// <summary>The attributes of the product op(a)·op(b); none where neither is transposed.</summary>
        public static MatMulAttributes? Transposing(bool transA, bool transB) => transA || transB ? new MatMulAttributes(transA, transB) : null;
        /// <summary>ONNX's MatMul broadcasts batches of matrices as this one does; a transposed operand is a Transpose first.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var (transA, transB) = Attributes(w.Op);
            string a = transA ? w.TransposeLastTwo(w.Input(0), w.InputShape(0).Rank) : w.Input(0);
            string b = transB ? w.TransposeLastTwo(w.Input(1), w.InputShape(1).Rank) : w.Input(1);
            w.Emit("MatMul", new[] { a, b });
        }


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape a = ShapeOf(g, op, 0), b = ShapeOf(g, op, 1);
            var (transA, transB) = Attributes(op);
            if (a.Rank < 2 || a.Rank != b.Rank)
                throw Mismatch(op,
                    $"MatMul: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; it needs two matrices, or two batches of matrices of the same rank.");
            int o = a.Rank - 2;
            for (int k = 0; k < o; k++)
                if (a[k] != b[k])
                    throw Mismatch(op,
                        $"MatMul: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; the batch dimensions before the last two must be equal.");
            int ka = a[o + (transA ? 0 : 1)], kb = b[o + (transB ? 1 : 0)];
            if (ka != kb)
                throw Mismatch(op,
                    $"MatMul: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; inner dimensions {ka} and {kb} differ.");
            var dims = new int[a.Rank];
            for (int k = 0; k < o; k++) dims[k] = a[k];
            dims[o] = a[o + (transA ? 1 : 0)];
            dims[o + 1] = b[o + (transB ? 0 : 1)];
            return new Shape(dims);
        }

        public override double Flops(LogicalGraph g, LogicalOp op)
        {
            var a = ShapeOf(g, op, 0);
            return 2.0 * g.Tensor(op.Output).Shape.Elements * a[a.Rank - 2 + (Attributes(op).TransA ? 0 : 1)];
        }

        /// <summary>Rows of a split give rows of y; columns of b give columns of y; splitting the shared k axis of
        /// both gives partial sums. A partial operand times a replicated one stays partial (the product is linear).</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int o = c.Input("a").Rank - 2;
            var (transA, transB) = Attributes(c.Op);
            // A batch splits into batches: each device multiplies its own matrices.
            for (int k = 0; k < o; k++) yield return In(Sbp.S(k), Sbp.S(k)).Out(Sbp.S(k));
            int aRows = o + (transA ? 1 : 0), aInner = 2 * o + 1 - aRows;
            int bCols = o + (transB ? 0 : 1), bInner = 2 * o + 1 - bCols;
            yield return In(Sbp.S(aRows), Sbp.B).Out(Sbp.S(o));
            yield return In(Sbp.B, Sbp.S(bCols)).Out(Sbp.S(o + 1));
            yield return In(Sbp.S(aInner), Sbp.S(bInner)).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.P).Out(Sbp.P);
        }

        /// <summary>Products: a row axis keeps its positions; an operand whose positions the product reads whole (the
        /// keys a query meets, the values attention weighs) is read from its cache.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            var (a, b) = (times[0], times[1]);
            int ra = d.Rank(s.Inputs[0]), rb = d.Rank(s.Inputs[1]), ro = d.Rank(s.Output);
            string left = s.Inputs[0], right = s.Inputs[1];
            int axis = -1, inner = 0, key = -1;
            if (b.Key >= 0 || (a.Key >= 0 && a.Key != ra - 1) || a.Axis == ra - 1)
                throw d.Refuse(s.Output, "it sums over positions that are not attention's keys");
            if (a.Key == ra - 1)
            {
                if (b.Axis != rb - 2) throw d.Refuse(s.Output, "it weighs cached positions but its right operand does not hold positions along its rows");
                right = d.Cached(s, right, rb - 2);
            }
            else if (b.Axis == rb - 1)
            {
                right = d.Cached(s, right, rb - 1);
                key = ro - 1;
            }
            else if (b.Axis == rb - 2) throw d.Refuse(s.Output, "it sums over positions that are not attention's keys");
            else if (b.Axis >= 0) { axis = b.Axis + ro - rb; inner = b.Inner; }
            if (a.Axis >= 0)
            {
                int at = a.Axis == ra - 2 ? ro - 2 : a.Axis + ro - ra;
                if (axis >= 0 && axis != at) throw d.Refuse(s.Output, "its operands hold their positions on different axes");
                axis = at;
                inner = a.Inner;
            }
            d.Emit(s with { Inputs = EquatableArray.Of(left, right) }, new PositionAxes(axis, inner, key));
        }

        /// <summary>dA = dY·op(b)ᵀ and dB = op(a)ᵀ·dY, written with transpose flags so no transpose is materialised.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int a = op.Inputs[0], b = op.Inputs[1];
            var (transA, transB) = Attributes(op);
            if (ad.NeedsGradient(a))
            {
                int da = transA
                    ? ad.Emit(OpKind.MatMul, new[] { b, dy }, a, Transposing(transB, true))
                    : ad.Emit(OpKind.MatMul, new[] { dy, b }, a, Transposing(false, !transB));
                ad.Accumulate(a, da);
            }
            if (ad.NeedsGradient(b))
            {
                int db = transB
                    ? ad.Emit(OpKind.MatMul, new[] { dy, a }, b, Transposing(true, transA))
                    : ad.Emit(OpKind.MatMul, new[] { a, dy }, b, Transposing(!transA, false));
                ad.Accumulate(b, db);
            }
        }
    }
}
