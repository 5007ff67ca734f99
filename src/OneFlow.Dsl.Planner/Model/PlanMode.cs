namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>What a plan is for: a training step (forward, loss, backward, updates) or inference (forward only,
    /// dropout the identity, batch norm on its running statistics).</summary>
    public enum PlanMode { Train, Infer }
}
