using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>y = x·wᵀ + b with PyTorch's layout (<c>torch.nn.functional.linear</c>): w [out, in], b [out] or none,
    /// x [.., in] of any rank; so a state_dict's weights load without transposes. Written as a product with w
    /// transposed in place (no copy), the bias added, and x's leading axes merged for the product and split after.</summary>
    internal sealed class LinearOp : CompositeOp
    {
        public override string UserName => "Linear";
        public override string[] Operands => new[] { "x", "w", "b" };

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            int x = inputs[0], w = inputs[1];
            Shape xs = b.ShapeOf(x), ws = b.ShapeOf(w);
            if (ws.Rank != 2)
                throw b.Mismatch($"Linear: the weight {b.NameOf(w)} is {ws} but must be [out, in], PyTorch's layout.");
            if (xs.Rank >= 1 && xs[xs.Rank - 1] == ws[0] && ws[0] != ws[1])
                throw b.Mismatch($"Linear: the weight {b.NameOf(w)} is {ws}, laid out [in, out] for {b.NameOf(x)} {xs}; Linear takes PyTorch's [out, in]: declare it [Weight({ws[1]}, {ws[0]})].");
            if (xs.Rank < 1 || xs[xs.Rank - 1] != ws[1])
                throw b.Mismatch($"Linear: {b.NameOf(x)} is {xs} but the weight {b.NameOf(w)} {ws} takes {ws[1]} features; its last axis must be {ws[1]}.");
            if (inputs.Length == 3 && !b.ShapeOf(inputs[2]).Equals(new Shape(ws[0])))
                throw b.Mismatch($"Linear: the bias {b.NameOf(inputs[2])} is {b.ShapeOf(inputs[2])} but the weight {b.NameOf(w)} {ws} has {ws[0]} outputs; declare it [Weight({ws[0]})].");
            int rows = xs.Rank == 2 ? x : b.Add(OpKind.Reshape, new[] { x }, "rows", new ReshapeAttributes(new long[] { -1, ws[1] }));
            int y = b.Add(OpKind.MatMul, new[] { rows, w }, "product", new MatMulAttributes(false, true));
            if (inputs.Length == 3) y = b.Add(OpKind.Add, new[] { y, inputs[2] }, "biased");
            if (xs.Rank == 2) return y;
            var dims = new long[] { -1 }.Concat(xs.ToArray().Skip(1).Take(xs.Rank - 2).Select(d => (long)d)).Append(ws[0]).ToArray();
            return b.Add(OpKind.Reshape, new[] { y }, "linear", new ReshapeAttributes(dims));
        }
    }
}
