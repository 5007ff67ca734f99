using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
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
}
