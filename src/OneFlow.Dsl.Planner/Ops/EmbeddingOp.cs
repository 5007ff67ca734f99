using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Row lookup: integer ids [..] into a table [V, D] give [.., D].</summary>
    internal sealed class EmbeddingOp : OpDef
    {
        public override string UserName => "Embedding";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Gather", new[] { w.Input(1), w.Input(0) }, OnnxAttribute.Of("axis", 0L));


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            ExpectRank(g, op, 1, 2, "Embedding");
            if (g.Tensor(op.Inputs[0]).DType != DType.I32)
                throw Mismatch(op, $"Embedding: {NameOf(g, op, 0)} must hold integer ids; declare it [Input(...), Ids].");
            return new Shape(ShapeOf(g, op, 0).ToArray().Concat(new[] { ShapeOf(g, op, 1)[1] }).ToArray());
        }

        /// <summary>Split ids give split rows; a table split by columns gives split features; a table split by
        /// vocabulary gives partial sums (each device looks up only its own rows, zeros for the rest), as in
        /// Megatron's vocabulary-parallel embedding.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            int rank = ShapeOf(g, op, 0).Rank;
            for (int axis = 0; axis < rank; axis++) yield return new Signature(Sbp.S(axis), Sbp.S(axis), Sbp.B);
            yield return new Signature(Sbp.S(rank), Sbp.B, Sbp.S(1));
            yield return new Signature(Sbp.P, Sbp.B, Sbp.S(0));
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B);
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int table = op.Inputs[1];
            if (ad.NeedsGradient(table) && !ad.AccumulateRows(table, op.Inputs[0], dy, 1))
                ad.Accumulate(table, ad.Emit(OpKind.EmbeddingGrad, new[] { op.Inputs[0], dy, table }, table));
        }
    }

    /// <summary>d table: each id's gradient row added into the table's row (a scatter-add). The third operand is the
    /// table itself, read for its shape and layout only.</summary>
    internal sealed class EmbeddingGradOp : GradientOp
    {
        public override bool SignaturesFollowOperands => true;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 2);

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            int rank = ShapeOf(g, op, 0).Rank;
            var table = g.Tensor(op.Inputs[2]).Sbp[g.SignatureAxis];
            for (int axis = 0; axis < rank; axis++) yield return new Signature(Sbp.P, Sbp.S(axis), Sbp.S(axis), table);
            yield return new Signature(Sbp.S(1), Sbp.B, Sbp.S(rank), table);
            yield return new Signature(Sbp.S(0), Sbp.B, Sbp.B, table);
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B, table);
        }
    }
}
