using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Each sample's bag of ids [N, K] looked up in a table [V, D] and summed (or averaged) into one row, [N, D]
    /// (<c>torch.nn.EmbeddingBag</c> with a fixed K per sample): the multi-hot features of DLRM. The argument is the mode,
    /// 0 for the sum and 1 for the mean. Its layouts are the embedding's: a table split by vocabulary gives partial sums.</summary>
    internal sealed class EmbeddingBagOp : OpDef
    {
        public override string UserName => "EmbeddingBag";

        /// <summary>The factor each looked-up row is added with: 1 for the sum, 1/K for the mean.</summary>
        public static double Scale(IOpAttributes op, int bag) => op.Args.Length > 0 && op.Args[0] == 1 ? 1.0 / bag : 1.0;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape ids = ShapeOf(g, op, 0), table = ShapeOf(g, op, 1);
            if (g.Tensor(op.Inputs[0]).DType != DType.I32 || ids.Rank != 2)
                throw Mismatch(op, $"EmbeddingBag: {NameOf(g, op, 0)} is {ids}; it must be integer ids [N, K], a bag of K per sample; declare it [Input(K), Ids].");
            if (table.Rank != 2) throw Mismatch(op, $"EmbeddingBag: {NameOf(g, op, 1)} is {table} but a table is [V, D].");
            if (op.Args.Length != 1 || (op.Args[0] != 0 && op.Args[0] != 1))
                throw Mismatch(op, "EmbeddingBag takes its mode after the tensors: BagMode.Sum or BagMode.Mean.");
            return new Shape(ids[0], table[1]);
        }

        /// <summary>Samples split with their bags; features split with the table's columns; the vocabulary split gives
        /// partial sums (each device adds the rows it holds).</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            yield return new Signature(Sbp.S(0), Sbp.S(0), Sbp.B);
            yield return new Signature(Sbp.S(1), Sbp.B, Sbp.S(1));
            yield return new Signature(Sbp.P, Sbp.B, Sbp.S(0));
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B);
        }

        public override double Flops(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0).Elements * ShapeOf(g, op, 1)[1];

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int ids = op.Inputs[0], table = op.Inputs[1];
            if (!ad.NeedsGradient(table)) return;
            double scale = Scale(op, ad.ShapeOf(ids)[1]);
            if (!ad.AccumulateRows(table, ids, dy, scale))
                ad.Accumulate(table, ad.Emit(OpKind.EmbeddingBagGrad, new[] { ids, dy, table }, table, args: new[] { op.Args[0] }));
        }

        public override void ToOnnx(OnnxWriter w)
        {
            string rows = w.Node("Gather", new[] { w.Input(1), w.Input(0) }, OnnxAttribute.Of("axis", 0L));
            bool mean = w.Op.Args[0] == 1;
            if (mean) w.Emit("ReduceMean", new[] { rows }, OnnxAttribute.Of("axes", new[] { 1L }), OnnxAttribute.Of("keepdims", 0L));
            else w.Emit("ReduceSum", new[] { rows, w.Longs(1) }, OnnxAttribute.Of("keepdims", 0L));
        }
    }

    /// <summary>d table: each sample's dy row (divided by K for the mean) added into the rows of its bag's ids; operands
    /// (ids, dy, table), the table read for its shape and layout only. The dense gradient, where rows are not kept sparse.</summary>
    internal sealed class EmbeddingBagGradOp : GradientOp
    {
        public override bool SignaturesFollowOperands => true;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 2);

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            var table = g.Tensor(op.Inputs[2]).Sbp[g.SignatureAxis];
            yield return new Signature(Sbp.P, Sbp.S(0), Sbp.S(0), table);
            yield return new Signature(Sbp.S(1), Sbp.B, Sbp.S(1), table);
            yield return new Signature(Sbp.S(0), Sbp.B, Sbp.B, table);
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B, table);
        }
    }
}
