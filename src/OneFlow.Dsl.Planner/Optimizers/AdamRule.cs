using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Optimizers
{
    /// <summary>Adam with decoupled weight decay (AdamW; Adam when the decay, a run-time value, is 0): first and second
    /// moments beside each weight; a table is updated as PyTorch's SparseAdam does, in its touched rows.</summary>
    internal sealed class AdamRule : UpdateRuleDef
    {
        public override UpdateRule Rule => UpdateRule.Adam;
        public override string[] AttributeNames => new[] { "Adam", "AdamW" };
        public override string[] States => new[] { "m", "v" };
        public override OpKind DenseUpdate => OpKind.AdamUpdate;
        public override OpKind? SparseUpdate => OpKind.SparseAdamUpdate;
    }
}
