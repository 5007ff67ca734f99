using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The maximum over the last axis, dropping it: [.., C] → [..]. Not linear, so neither a partial sum
    /// nor a split of the reduced axis passes through it.</summary>
    internal sealed class MaxLastOp : OpDef
    {
        public override void ToOnnx(OnnxWriter w) => w.Emit("ReduceMax", new[] { w.Input(0) }, OnnxAttribute.Of("axes", new[] { -1L }), OnnxAttribute.Of("keepdims", 0L));


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank == 0) throw Mismatch(op, $"Max: {NameOf(g, op, 0)} is a scalar; there is no axis to reduce.");
            return new Shape(x.ToArray().Take(x.Rank - 1).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank;
            for (int axis = 0; axis < rank - 1; axis++) yield return In(Sbp.S(axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B).Out(Sbp.B);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => d.Reduced(s, times[0], d.Rank(s.Inputs[0]) - 1);

        /// <summary>The gradient goes to the first position holding each row's maximum.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.MaxLastGrad, new[] { dy, x }, x));
        }
    }

    /// <summary>dx: each row's dy at its (first) maximum, zero elsewhere; inputs dy [..] and x [.., C].</summary>
    internal sealed class MaxLastGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "x" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank;
            for (int axis = 0; axis < rank - 1; axis++) yield return In(Sbp.S(axis), Sbp.S(axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
        }
    }
}
