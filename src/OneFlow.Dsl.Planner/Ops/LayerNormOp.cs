using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Normalises each row over the last axis to mean 0 and variance 1 (ε = 1e-5). The affine part is
    /// written by the user as <c>LayerNorm(x) * gamma + beta</c>, which the bias broadcasts already cover.</summary>
    internal sealed class LayerNormOp : OpDef
    {
        public override string UserName => "LayerNorm";
        /// <summary>LayerNormalization with a scale of ones and a bias of zeros: the affine part is the user's own ops.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var x = w.InputShape(0);
            int d = x[x.Rank - 1];
            var ones = new float[d];
            for (int i = 0; i < d; i++) ones[i] = 1;
            w.Emit("LayerNormalization", new[] { w.Input(0), w.Floats(new Shape(d), ones), w.Floats(new Shape(d), new float[d]) },
                OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", 1e-5f));
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("x").Rank, 1, linear: false);
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => RowOps.Decode(d, s, times);

        /// <summary>dx = (dy − mean(dy) − y · mean(dy ⊙ y)) / σ, with y and σ recomputed from x.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.LayerNormGrad, new[] { dy, x }, x));
        }
    }

    /// <summary>The gradient of layer norm from dy and the input x.</summary>
    internal sealed class LayerNormGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "saved" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("dy").Rank, 2, linear: false);
    }
}
