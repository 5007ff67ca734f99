using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Optimizers
{
    /// <summary>w −= lr · g; a table is updated from the rows it touched alone.</summary>
    internal sealed class SgdRule : UpdateRuleDef
    {
        public override UpdateRule Rule => UpdateRule.Sgd;
        public override string[] AttributeNames => new[] { "Sgd" };
        public override OpKind DenseUpdate => OpKind.SgdUpdate;
        public override OpKind? SparseUpdate => OpKind.SparseSgdUpdate;
    }
}
