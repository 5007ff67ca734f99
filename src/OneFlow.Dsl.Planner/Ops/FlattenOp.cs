using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>[N, …] → [N, rest]: a reshape that keeps the batch axis (and so fits a micro-batch).</summary>
    internal sealed class FlattenOp : CompositeOp
    {
        public override string UserName => "Flatten";

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var x = b.ShapeOf(inputs[0]);
            if (x.Rank < 2) throw b.Mismatch($"Flatten: {b.NameOf(inputs[0])} is {x}; it needs a batch axis and at least one more.");
            return b.Add(OpKind.Reshape, inputs, "flat", new ReshapeAttributes(new[] { -1, x.Elements / x[0] }));
        }
    }
}
