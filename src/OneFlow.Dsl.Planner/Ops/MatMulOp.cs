using System.Collections.Generic;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>y = op(a) · op(b), op = transpose when the flag is set; a is m×k, b is k×n after op. Tensors of
    /// higher rank are batches of matrices over their last two axes (the leading axes equal): q·kᵀ in attention.</summary>
    internal sealed class MatMulOp : OpDef
    {
        public override string UserName => "MatMul";
        /// <summary>ONNX's MatMul broadcasts batches of matrices as this one does; a transposed operand is a Transpose first.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            string a = w.Op.TransA ? w.TransposeLastTwo(w.Input(0), w.InputShape(0).Rank) : w.Input(0);
            string b = w.Op.TransB ? w.TransposeLastTwo(w.Input(1), w.InputShape(1).Rank) : w.Input(1);
            w.Emit("MatMul", new[] { a, b });
        }


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape a = ShapeOf(g, op, 0), b = ShapeOf(g, op, 1);
            if (a.Rank < 2 || a.Rank != b.Rank)
                throw Mismatch(op,
                    $"MatMul: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; it needs two matrices, or two batches of matrices of the same rank.");
            int o = a.Rank - 2;
            for (int k = 0; k < o; k++)
                if (a[k] != b[k])
                    throw Mismatch(op,
                        $"MatMul: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; the batch dimensions before the last two must be equal.");
            int ka = a[o + (op.TransA ? 0 : 1)], kb = b[o + (op.TransB ? 1 : 0)];
            if (ka != kb)
                throw Mismatch(op,
                    $"MatMul: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; inner dimensions {ka} and {kb} differ.");
            var dims = new int[a.Rank];
            for (int k = 0; k < o; k++) dims[k] = a[k];
            dims[o] = a[o + (op.TransA ? 1 : 0)];
            dims[o + 1] = b[o + (op.TransB ? 0 : 1)];
            return new Shape(dims);
        }

        public override double Flops(LogicalGraph g, LogicalOp op)
        {
            var a = ShapeOf(g, op, 0);
            return 2.0 * g.Tensor(op.Output).Shape.Elements * a[a.Rank - 2 + (op.TransA ? 0 : 1)];
        }

        /// <summary>Rows of a split give rows of y; columns of b give columns of y; splitting the shared k axis of
        /// both gives partial sums. A partial operand times a replicated one stays partial (the product is linear).</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            int o = ShapeOf(g, op, 0).Rank - 2;
            // A batch splits into batches: each device multiplies its own matrices.
            for (int k = 0; k < o; k++) yield return new Signature(Sbp.S(k), Sbp.S(k), Sbp.S(k));
            int aRows = o + (op.TransA ? 1 : 0), aInner = 2 * o + 1 - aRows;
            int bCols = o + (op.TransB ? 0 : 1), bInner = 2 * o + 1 - bCols;
            yield return new Signature(Sbp.S(o), Sbp.S(aRows), Sbp.B);
            yield return new Signature(Sbp.S(o + 1), Sbp.B, Sbp.S(bCols));
            yield return new Signature(Sbp.P, Sbp.S(aInner), Sbp.S(bInner));
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.P, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.B, Sbp.P);
        }

        /// <summary>dA = dY·op(b)ᵀ and dB = op(a)ᵀ·dY, written with transpose flags so no transpose is materialised.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int a = op.Inputs[0], b = op.Inputs[1];
            if (ad.NeedsGradient(a))
            {
                int da = op.TransA
                    ? ad.Emit(OpKind.MatMul, new[] { b, dy }, a, transA: op.TransB, transB: true)
                    : ad.Emit(OpKind.MatMul, new[] { dy, b }, a, transA: false, transB: !op.TransB);
                ad.Accumulate(a, da);
            }
            if (ad.NeedsGradient(b))
            {
                int db = op.TransB
                    ? ad.Emit(OpKind.MatMul, new[] { dy, a }, b, transA: true, transB: op.TransA)
                    : ad.Emit(OpKind.MatMul, new[] { a, dy }, b, transA: !op.TransA, transB: false);
                ad.Accumulate(b, db);
            }
        }
    }
}
