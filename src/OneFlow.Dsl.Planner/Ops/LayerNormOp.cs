using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The ε a layer norm adds to the variance.</summary>
    internal sealed record LayerNormAttributes(double Eps) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("eps", Eps);
        public static LayerNormAttributes Read(AttributeReader r) => new LayerNormAttributes(r.Double("eps"));
        public static readonly LayerNormAttributes Default = new LayerNormAttributes(1e-5);
    }

    /// <summary>Each row over the last axis normalised to mean 0 and variance 1, then, with operands (x, γ, β), scaled
    /// and shifted: <c>F.layer_norm(x, x.shape[-1:], γ, β, eps)</c> (ε 1e-5 by default; BERT uses 1e-12).</summary>
    internal sealed class LayerNormOp : OpDef
    {
        public override string UserName => "LayerNorm";
        public override string[] Operands => new[] { "x", "gamma", "beta" };

        public static float Eps(IOpAttributes op) => (float)op.Get<LayerNormAttributes>().Eps;

        /// <summary>ε as written; a statement that leaves it out (a spec written by hand) gets PyTorch's 1e-5.</summary>
        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 0 ? LayerNormAttributes.Default
                : args.Length == 1 && args[0] > 0 ? new LayerNormAttributes(args[0])
                : throw BadCall(subject, "LayerNorm takes a positive eps after its tensors.");

        public override OpAttributes ReadAttributes(AttributeReader r) => LayerNormAttributes.Read(r);

        /// <summary>ONNX's LayerNormalization, with γ and β or a scale of ones and a bias of zeros.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var x = w.InputShape(0);
            int d = x[x.Rank - 1];
            var ones = new float[d];
            for (int i = 0; i < d; i++) ones[i] = 1;
            bool affine = w.Op.Inputs.Length == 3;
            w.Emit("LayerNormalization", new[] { w.Input(0), affine ? w.Input(1) : w.Floats(new Shape(d), ones), affine ? w.Input(2) : w.Floats(new Shape(d), new float[d]) },
                OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", Eps(w.Op)));
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank == 0) throw Mismatch(op, $"LayerNorm: {NameOf(g, op, 0)} is a scalar; it normalises rows of its last axis.");
            if (op.Inputs.Length == 1) return x;
            if (op.Inputs.Length != 3) throw Mismatch(op, "LayerNorm takes x alone, or x with both gamma and beta.");
            var row = new Shape(x[x.Rank - 1]);
            for (int i = 1; i < 3; i++)
                if (!ShapeOf(g, op, i).Equals(row))
                    throw Mismatch(op, $"LayerNorm: {(i == 1 ? "gamma" : "beta")} {NameOf(g, op, i)} is {ShapeOf(g, op, i)} but {NameOf(g, op, 0)} {x} has rows of {row[0]}; declare it [Weight({row[0]}{(i == 1 ? ", Fill = 1" : "")})].");
            return x;
        }

        /// <summary>Rows split alike, γ and β whole.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank;
            if (c.InputCount == 1)
            {
                foreach (var s in RowOps.Signatures(rank, 1, linear: false)) yield return s;
                yield break;
            }
            for (int axis = 0; axis < rank - 1; axis++) yield return In(Sbp.S(axis), Sbp.B, Sbp.B).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B, Sbp.B).Out(Sbp.B);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => RowOps.Decode(d, s, times);

        /// <summary>dx = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / σ with g = dy ⊙ γ (dy without γ), x̂ and σ recomputed from
        /// x; dγ = Σ dy ⊙ x̂ and dβ = Σ dy over the rows.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var eps = op.Get<LayerNormAttributes>();
            int g = dy;
            if (op.Inputs.Length == 3)
            {
                int gamma = op.Inputs[1], beta = op.Inputs[2];
                if (ad.NeedsGradient(gamma))
                    ad.Accumulate(gamma, ad.SumToShape(ad.Mul(dy, ad.Emit(OpKind.LayerNorm, new[] { x }, gamma, eps), gamma), gamma));
                if (ad.NeedsGradient(beta)) ad.Accumulate(beta, ad.SumToShape(dy, beta));
                if (ad.NeedsGradient(x)) g = ad.Mul(dy, gamma, x);
            }
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.LayerNormGrad, new[] { g, x }, x, eps));
        }
    }

    /// <summary>The gradient of layer norm from dy (times γ) and the input x.</summary>
    internal sealed class LayerNormGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "saved" };
        public override OpAttributes ReadAttributes(AttributeReader r) => LayerNormAttributes.Read(r);
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);
        public override IEnumerable<Signature> Signatures(SignatureContext c) => RowOps.Signatures(c.Input("dy").Rank, 2, linear: false);
    }
}
