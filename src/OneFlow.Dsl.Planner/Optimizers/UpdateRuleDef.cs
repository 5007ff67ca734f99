using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Optimizers
{
    /// <summary>One optimizer as the planner knows it, in one place: the <c>Optimizers</c> members that train with it,
    /// the state it keeps beside each weight, and the ops that update a weight from its gradient (or a table from the
    /// rows it touched). The hyperparameters are run-time values; the eager class of the same rule updates the same way.</summary>
    internal abstract class UpdateRuleDef
    {
        public abstract UpdateRule Rule { get; }

        /// <summary>The members of the <c>[Network(Optimizer = …)]</c> enum whose compiled plans update with this rule.</summary>
        public abstract string[] AttributeNames { get; }

        /// <summary>The state tensors kept beside each weight, laid out as it (named weight.state in the plan).</summary>
        public virtual string[] States => new string[0];

        /// <summary>The op updating a weight from its gradient: operands (weight, gradient, states…[, squared norm]).</summary>
        public abstract OpKind DenseUpdate { get; }

        /// <summary>The op updating a table from the rows its lookups touched, operands (table, ids, rows, states…);
        /// null where the rule needs every row's gradient each step.</summary>
        public virtual OpKind? SparseUpdate => null;
    }

    internal static class UpdateRules
    {
        public static readonly IReadOnlyList<UpdateRuleDef> All = new UpdateRuleDef[] { new SgdRule(), new MomentumRule(), new AdamRule(), new AdagradRule() };

        public static UpdateRuleDef Get(UpdateRule rule) => All.First(r => r.Rule == rule);

        /// <summary>The rule of an <c>Optimizers</c> member, by its name; null for a name no rule claims.</summary>
        public static UpdateRuleDef? FromAttributeName(string name) => All.FirstOrDefault(r => r.AttributeNames.Contains(name));
    }
}
