using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>eˣ.</summary>
    public sealed class ExpOp : ElementwiseOp
    {
        [ModuleInitializer] internal static void Register() => OpRegistry.Add(new ExpOp());

        public override OpKind Kind => OpKind.Exp;
        public override string UserName => "Exp";

        /// <summary>dx = dy · y.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Mul, new[] { dy, op.Output }, x));
        }
    }
}
