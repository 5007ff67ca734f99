using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reorders the axes: output axis i is input axis axes[i], as
    /// <c>torch.permute</c>; [B, T, H, d] → [B, H, T, d] splits attention into heads. A split moves with its axis.</summary>
    internal sealed record PermuteAttributes(int[] Axes) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("axes", Axes);
    }

    internal sealed class PermuteOp : OpDef
    {
        public override string UserName => "Permute";
        public override void ToOnnx(OnnxWriter w)
        {
            int rank = w.InputShape(0).Rank;
            w.Emit("Transpose", new[] { w.Input(0) }, OnnxAttribute.Of("perm", Axes(w.Op).Select(a => (long)((a + rank) % rank)).ToArray()));
        }


        public static int[] Axes(IOpAttributes op) => op.Get<PermuteAttributes>().Axes;
        public override OpAttributes FromCall(string subject, double[] args) => new PermuteAttributes(args.Select(a => (int)a).ToArray());
        public override OpAttributes ReadAttributes(AttributeReader r) => new PermuteAttributes(r.Ints("axes"));

        /// <summary>Moves elements without reading them: integers stay integers.</summary>
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override bool TakesMask(int operand) => true;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            var axes = Axes(op);
            if (axes.Length != x.Rank || !axes.OrderBy(a => a).SequenceEqual(Enumerable.Range(0, x.Rank)))
                throw Mismatch(op, $"Permute: {NameOf(g, op, 0)} is {x}; the axes ({string.Join(", ", axes)}) must name each of its {x.Rank} axes once.");
            return new Shape(axes.Select(a => x[a]).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var axes = Axes(c.Op);
            for (int i = 0; i < axes.Length; i++) yield return In(Sbp.S(axes[i])).Out(Sbp.S(i));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int rank = d.Rank(s.Inputs[0]);
            var order = s.Args.Select(a => ((int)a + rank) % rank).ToList();
            d.Emit(s, times[0].Moved(a => order.IndexOf(a)));
        }

        /// <summary>The gradient is dy permuted back.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (!ad.NeedsGradient(x)) return;
            var axes = Axes(op);
            var inverse = new int[axes.Length];
            for (int i = 0; i < axes.Length; i++) inverse[axes[i]] = i;
            ad.Accumulate(x, ad.Emit(OpKind.Permute, new[] { dy }, x, new PermuteAttributes(inverse)));
        }
    }
}
