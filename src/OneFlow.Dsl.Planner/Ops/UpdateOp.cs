using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>An in-place update of a weight from its gradient (and the optimizer's state tensors, which always
    /// have the weight's layout): local to each shard. The hyperparameters are run-time values.</summary>
    internal abstract class UpdateOp : OpDef
    {
        public override string NotDifferentiable => "it updates a weight after the backward pass";
        public override bool HasOutput => false;
        public override bool SignaturesFollowOperands => true;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        /// <summary>The gradient and the states must be laid out exactly as the weight; with clipping, the last
        /// operand is the global squared norm, whole on every device.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            var w = g.Tensor(op.Inputs[0]).Sbp[g.SignatureAxis];
            var inputs = Repeat(w, op.Inputs.Length);
            if (IsClipped(op)) inputs[inputs.Length - 1] = Sbp.B;
            yield return new Signature(w, inputs);
        }

        /// <summary>An update clipped by the global gradient norm has that squared norm as its last operand.</summary>
        public static bool IsClipped(IOpAttributes op) => op.Args.Length > 0 && op.Args[0] == 1;

        public static double[] Arguments(bool clipped) => clipped ? new[] { 1.0 } : System.Array.Empty<double>();
    }

    /// <summary>w −= lr · g.</summary>
    internal sealed class SgdUpdateOp : UpdateOp
    {
    }

    /// <summary>v = μ·v + g; w −= lr · v (PyTorch's SGD with momentum).</summary>
    internal sealed class MomentumUpdateOp : UpdateOp
    {
    }

    /// <summary>Adam with decoupled weight decay (AdamW; Adam when the decay is 0): m and v, bias-corrected by the step.</summary>
    internal sealed class AdamUpdateOp : UpdateOp
    {
    }
}
