using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Optimizers
{
    /// <summary>PyTorch's SGD with momentum: v = μ·v + g, w −= lr · v. Every row's velocity moves every step, so a
    /// table's gradient stays dense.</summary>
    internal sealed class MomentumRule : UpdateRuleDef
    {
        public override UpdateRule Rule => UpdateRule.Momentum;
        public override string[] AttributeNames => new[] { "SgdMomentum" };
        public override string[] States => new[] { "velocity" };
        public override OpKind DenseUpdate => OpKind.MomentumUpdate;
    }
}
