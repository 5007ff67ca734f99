using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Whether an update's gradient is scaled down to the global norm (its last operand, the squared norm), and
    /// how many weights it updates: one, or all of a device's (the fusion pass groups them), their operands in turn.</summary>
    internal sealed record UpdateAttributes(bool Clipped, int Weights = 1) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Bool("clipped", Clipped).Int("weights", Weights);
    }

    /// <summary>An in-place update of a weight from its gradient (and the optimizer's state tensors, which always
    /// have the weight's layout): local to each shard. The hyperparameters are run-time values. One op may update
    /// several weights of the same placement (<c>Passes/UpdateGrouping</c>): operands (weight, gradient, states…) for
    /// each in turn, then the squared norm where clipped.</summary>
    internal abstract class UpdateOp : OpDef
    {
        public override string NotDifferentiable => "it updates a weight after the backward pass";
        public override string[] Operands => new[] { "weight", "gradient" };
        public override OpAttributes? ReadAttributes(AttributeReader r) => r.IsEmpty ? null : new UpdateAttributes(r.Bool("clipped"), r.Int("weights"));
        public override bool HasOutput => false;
        public override bool SignaturesFollowOperands => true;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        /// <summary>Each gradient and state must be laid out exactly as its weight; with clipping, the last operand is the
        /// global squared norm, whole on every device.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int per = PerWeight(c.Op, c.InputCount), weights = Weights(c.Op);
            var inputs = new Sbp[c.InputCount];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = i < weights * per ? c.Operand(i / per * per).Sbp : Sbp.B;
            yield return In(inputs).Out(c.Operand(0).Sbp);
        }

        /// <summary>An update clipped by the global gradient norm has that squared norm as its last operand.</summary>
        public static bool IsClipped(IOpAttributes op) => op.Attributes is UpdateAttributes { Clipped: true };

        /// <summary>The weights the update changes.</summary>
        public static int Weights(IOpAttributes op) => (op.Attributes as UpdateAttributes)?.Weights ?? 1;

        /// <summary>Operands per weight (the weight, its gradient, its states) of an update with <paramref name="operands"/> operands.</summary>
        public static int PerWeight(IOpAttributes op, int operands) => (operands - (IsClipped(op) ? 1 : 0)) / Weights(op);
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

    /// <summary>Adagrad (PyTorch's, from a zero sum): s += g²; w −= lr · g / (√s + ε).</summary>
    internal sealed class AdagradUpdateOp : UpdateOp
    {
    }
}

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>An update of an embedding table from the rows its lookups touched, not from a gradient the size of the
    /// table: operands (table, ids, rows, states…), arguments (the lookups' factor). Id j of the flattened ids takes row
    /// j / K of the rows, K the ids per row (a bag's size, 1 for a plain lookup). Each device updates the rows it holds;
    /// ids elsewhere are skipped. The states, laid out as the table, change only in the rows touched.</summary>
    /// <summary>The factor of a sparse update's rows, and whether they come as the embedding exchange's blocks.</summary>
    internal sealed record SparseUpdateAttributes(double Scale, bool Exchanged) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("scale", Scale).Bool("exchanged", Exchanged);
    }

    internal abstract class SparseUpdateOp : UpdateOp
    {
        public override string[] Operands => new[] { "table", "ids", "rows" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new SparseUpdateAttributes(r.Double("scale"), r.Bool("exchanged"));
        /// <summary>True for a rule that must sum the rows of one id before using them (it is not linear in them).</summary>
        protected virtual bool CombinesDuplicates => true;

        /// <summary>Scratch for combining the rows of one id: a hash of 2M slots with a summed row each, and each lookup's
        /// slot (M ids, rows of D on this device).</summary>
        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output)
            => CombinesDuplicates ? inputs[1].Elements * (2L * inputs[0][1] + 3) : 0;

        /// <summary>The lookups' factor (1/K for a bag's mean).</summary>
        public static double Scale(IOpAttributes op) => op.Get<SparseUpdateAttributes>().Scale;

        /// <summary>True when the ids and rows are the embedding exchange's blocks as this owner received them
        /// (<see cref="ExchangeLayout"/>): only each block's counted entries are read.</summary>
        public static bool Exchanged(IOpAttributes op) => op.Get<SparseUpdateAttributes>().Exchanged;

        /// <summary>The ids and rows whole on every device (both sized by the batch), each applying its own rows; or the
        /// rows split by feature with a table split by columns; or, exchanged, the blocks each owner received.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var w = c.Input("table").Sbp;
            var inputs = Repeat(w, c.InputCount);
            if (Exchanged(c.Op)) inputs[1] = inputs[2] = Sbp.S(1);
            else
            {
                inputs[1] = Sbp.B;
                inputs[2] = w.IsSplit && w.Axis == 1 ? Sbp.S(c.Input("rows").Rank - 1) : Sbp.B;
            }
            yield return In(inputs).Out(w);
        }
    }

    /// <summary>table[id] −= lr · scale · row for each lookup (duplicates add up).</summary>
    internal sealed class SparseSgdUpdateOp : SparseUpdateOp
    {
        protected override bool CombinesDuplicates => false;
    }

    /// <summary>PyTorch's <c>SparseAdam</c>: the rows of one id summed first, then m and v moved toward them only in the
    /// touched rows, and table[id] −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε). Operands (table, ids, rows, m, v).</summary>
    internal sealed class SparseAdamUpdateOp : SparseUpdateOp
    {
    }

    /// <summary>Adagrad from the touched rows (PyTorch's sparse Adagrad): the rows of one id summed, then s += g² and
    /// table −= lr · g / (√s + ε) in those rows only. As the other rows' gradients are zero, it is the dense update exactly.
    /// Operands (table, ids, rows, s).</summary>
    internal sealed class SparseAdagradUpdateOp : SparseUpdateOp
    {
    }
}
