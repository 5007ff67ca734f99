using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Row lookup: integer ids [..] into a table [V, D] give [.., D].</summary>
    internal sealed class EmbeddingOp : OpDef
    {
        public override string UserName => "Embedding";
        public override void ToOnnx(OnnxWriter w) => w.Emit("Gather", new[] { w.Input(1), w.Input(0) }, OnnxAttribute.Of("axis", 0L));
        public override string[] Operands => new[] { "ids", "table" };
        public override int[] IntegerOperands => new[] { 0 };
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (0, inputs[1][0]); }

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
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("ids").Rank;
            for (int axis = 0; axis < rank; axis++) yield return In(Sbp.S(axis), Sbp.B).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.S(1)).Out(Sbp.S(rank));
            yield return In(Sbp.B, Sbp.S(0)).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
        }

        /// <summary>Ids at the step's positions look up rows; a table that depends on the positions is refused.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            if (!times[1].None) throw d.Refuse(s.Output, "its table depends on the positions");
            d.Emit(s, times[0]);
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
        public override string[] Operands => new[] { "ids", "dy", "table" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 2);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("ids").Rank;
            var table = c.Input("table").Sbp;
            for (int axis = 0; axis < rank; axis++) yield return In(Sbp.S(axis), Sbp.S(axis), table).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.S(rank), table).Out(Sbp.S(1));
            yield return In(Sbp.B, Sbp.B, table).Out(Sbp.S(0));
            yield return In(Sbp.B, Sbp.B, table).Out(Sbp.B);
        }
    }
}
