using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Softmax over the last axis of square blocks of attention scores [..., T, T], with position j masked out
    /// of row i where j &gt; i: each token attends to itself and the tokens before it. Batches may be split; a
    /// block may not, since the mask depends on where a row lies in it.</summary>
    internal sealed class CausalSoftmaxOp : OpDef
    {
        public override string UserName => "CausalSoftmax";
        /// <summary>A softmax of the scores plus a constant mask, −∞ where j &gt; i.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var x = w.InputShape(0);
            int t = x[x.Rank - 1];
            var mask = new float[t * t];
            for (int i = 0; i < t; i++)
                for (int j = i + 1; j < t; j++) mask[i * t + j] = float.NegativeInfinity;
            w.Emit("Softmax", new[] { w.Node("Add", new[] { w.Input(0), w.Floats(new Shape(t, t), mask) }) }, OnnxAttribute.Of("axis", -1L));
        }


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank < 2 || x[x.Rank - 1] != x[x.Rank - 2])
                throw Mismatch(op, $"CausalSoftmax: {NameOf(g, op, 0)} is {x}; it needs square blocks of scores over its last two axes, [..., T, T].");
            return x;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int r = c.Input("x").Rank;
            for (int k = 0; k < r - 2; k++) yield return In(Sbp.S(k)).Out(Sbp.S(k));
            yield return In(Sbp.B).Out(Sbp.B);
        }

        /// <summary>Decoded, the scores hold the new queries' positions along their rows and the cached keys' along their
        /// columns: each row keeps the keys up to its own position, which the offset causal softmax reads.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int rank = d.Rank(s.Inputs[0]);
            if (times[0].Axis != rank - 2 || times[0].Key != rank - 1)
                throw d.Refuse(s.Output, "its scores must hold the queries' positions along their rows and the keys' along their columns");
            d.Emit(new OpDecl(s.Output, "OffsetCausalSoftmax", EquatableArray.Of(s.Inputs[0], d.Position)) { Placement = s.Placement }, times[0]);
        }

        /// <summary>The softmax gradient from the output: masked entries are 0 there, so their gradient is 0 too.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.SoftmaxGrad, new[] { dy, op.Output }, x));
        }
    }
}
