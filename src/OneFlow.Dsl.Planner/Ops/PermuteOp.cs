using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reorders the axes: output axis i is input axis axes[i], as
    /// <c>torch.permute</c>; [B, T, H, d] → [B, H, T, d] splits attention into heads. A split moves with its axis.</summary>
    internal sealed class PermuteOp : OpDef
    {
        public override string UserName => "Permute";
        public override void ToOnnx(OnnxWriter w)
        {
            int rank = w.InputShape(0).Rank;
            w.Emit("Transpose", new[] { w.Input(0) }, OnnxAttribute.Of("perm", Axes(w.Op).Select(a => (long)((a + rank) % rank)).ToArray()));
        }


        public static int[] Axes(IOpAttributes op) => op.Args.Select(a => (int)a).ToArray();

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            var axes = Axes(op);
            if (axes.Length != x.Rank || !axes.OrderBy(a => a).SequenceEqual(Enumerable.Range(0, x.Rank)))
                throw Mismatch(op, $"Permute: {NameOf(g, op, 0)} is {x}; the axes ({string.Join(", ", axes)}) must name each of its {x.Rank} axes once.");
            return new Shape(axes.Select(a => x[a]).ToArray());
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            var axes = Axes(op);
            for (int i = 0; i < axes.Length; i++) yield return new Signature(Sbp.S(i), Sbp.S(axes[i]));
            yield return new Signature(Sbp.B, Sbp.B);
            yield return new Signature(Sbp.P, Sbp.P);
        }

        /// <summary>The gradient is dy permuted back.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            var axes = Axes(op);
            var inverse = new double[axes.Length];
            for (int i = 0; i < axes.Length; i++) inverse[axes[i]] = i;
            ad.Accumulate(x, ad.Emit(OpKind.Permute, new[] { dy }, x, args: inverse));
        }
    }
}
