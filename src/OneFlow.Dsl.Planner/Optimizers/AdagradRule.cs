using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Optimizers
{
    /// <summary>Adagrad: s += g², w −= lr · g / (√s + ε); from a table's touched rows it is the dense update exactly.</summary>
    internal sealed class AdagradRule : UpdateRuleDef
    {
        public override UpdateRule Rule => UpdateRule.Adagrad;
        public override string[] AttributeNames => new[] { "Adagrad" };
        public override string[] States => new[] { "sum" };
        public override OpKind DenseUpdate => OpKind.AdagradUpdate;
        public override OpKind? SparseUpdate => OpKind.SparseAdagradUpdate;
    }
}
