namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>An op that autograd makes to compute a gradient: it is never differentiated itself.</summary>
    internal abstract class GradientOp : OpDef
    {
        public override string NotDifferentiable => "it computes a gradient; second derivatives are not planned";
    }
}
