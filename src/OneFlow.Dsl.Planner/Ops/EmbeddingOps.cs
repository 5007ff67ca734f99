using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Row lookup: integer ids [..] into a table [V, D] give [.., D].</summary>
    internal sealed class EmbeddingOp : OpDef
    {
        public override string UserName => "Embedding";
        public override int? ExchangedLookup(IOpAttributes op) => -1;
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

    /// <summary>Each sample's bag of ids [N, K] looked up in a table [V, D] and summed (or averaged) into one row, [N, D]
    /// (<c>torch.nn.EmbeddingBag</c> with a fixed K per sample): the multi-hot features of DLRM. The argument is the mode,
    /// 0 for the sum and 1 for the mean. Its layouts are the embedding's: a table split by vocabulary gives partial sums.</summary>
    /// <summary>How a bag's rows combine: false sums them, true averages.</summary>
    internal sealed record BagAttributes(bool Mean) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Bool("mean", Mean);
        public static BagAttributes Read(AttributeReader r) => new BagAttributes(r.Bool("mean"));
    }

    internal sealed class EmbeddingBagOp : OpDef
    {
        public override string UserName => "EmbeddingBag";
        public override int? ExchangedLookup(IOpAttributes op) => op.Get<BagAttributes>().Mean ? 1 : 0;
        public override string[] Operands => new[] { "ids", "table" };
        public override int[] IntegerOperands => new[] { 0 };
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (0, inputs[1][0]); }

        /// <summary>The factor each looked-up row is added with: 1 for the sum, 1/K for the mean.</summary>
        public static double Scale(IOpAttributes op, int bag) => op.Get<BagAttributes>().Mean ? 1.0 / bag : 1.0;

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 && (args[0] == 0 || args[0] == 1) ? new BagAttributes(args[0] == 1)
                : throw BadCall(subject, "EmbeddingBag takes its mode after the tensors: BagMode.Sum or BagMode.Mean.");

        public override OpAttributes ReadAttributes(AttributeReader r) => BagAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape ids = ShapeOf(g, op, 0), table = ShapeOf(g, op, 1);
            if (g.Tensor(op.Inputs[0]).DType != DType.I32 || ids.Rank != 2)
                throw Mismatch(op, $"EmbeddingBag: {NameOf(g, op, 0)} is {ids}; it must be integer ids [N, K], a bag of K per sample; declare it [Input(K), Ids].");
            if (table.Rank != 2) throw Mismatch(op, $"EmbeddingBag: {NameOf(g, op, 1)} is {table} but a table is [V, D].");
            return new Shape(ids[0], table[1]);
        }

        /// <summary>Samples split with their bags; features split with the table's columns; the vocabulary split gives
        /// partial sums (each device adds the rows it holds).</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            yield return In(Sbp.S(0), Sbp.B).Out(Sbp.S(0));
            yield return In(Sbp.B, Sbp.S(1)).Out(Sbp.S(1));
            yield return In(Sbp.B, Sbp.S(0)).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
        }

        public override double Flops(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0).Elements * ShapeOf(g, op, 1)[1];

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int ids = op.Inputs[0], table = op.Inputs[1];
            if (!ad.NeedsGradient(table)) return;
            double scale = Scale(op, ad.ShapeOf(ids)[1]);
            if (!ad.AccumulateRows(table, ids, dy, scale))
                ad.Accumulate(table, ad.Emit(OpKind.EmbeddingBagGrad, new[] { ids, dy, table }, table, op.Attributes));
        }

        public override void ToOnnx(OnnxWriter w)
        {
            string rows = w.Node("Gather", new[] { w.Input(1), w.Input(0) }, OnnxAttribute.Of("axis", 0L));
            bool mean = w.Op.Get<BagAttributes>().Mean;
            if (mean) w.Emit("ReduceMean", new[] { rows }, OnnxAttribute.Of("axes", new[] { 1L }), OnnxAttribute.Of("keepdims", 0L));
            else w.Emit("ReduceSum", new[] { rows, w.Longs(1) }, OnnxAttribute.Of("keepdims", 0L));
        }
    }

    /// <summary>d table: each sample's dy row (divided by K for the mean) added into the rows of its bag's ids; operands
    /// (ids, dy, table), the table read for its shape and layout only. The dense gradient, where rows are not kept sparse.</summary>
    internal sealed class EmbeddingBagGradOp : GradientOp
    {
        public override string[] Operands => new[] { "ids", "dy", "table" };
        public override OpAttributes ReadAttributes(AttributeReader r) => BagAttributes.Read(r);
        public override bool SignaturesFollowOperands => true;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 2);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var table = c.Input("table").Sbp;
            yield return In(Sbp.S(0), Sbp.S(0), table).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.S(1), table).Out(Sbp.S(1));
            yield return In(Sbp.B, Sbp.B, table).Out(Sbp.S(0));
            yield return In(Sbp.B, Sbp.B, table).Out(Sbp.B);
        }
    }
}
