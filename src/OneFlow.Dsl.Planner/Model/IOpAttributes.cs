namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>An op's constant attributes as both the logical graph and the plan carry them. Read them through the
    /// op definition's typed accessor (<c>SliceOp.Attributes(op)</c>), which knows what each number means.</summary>
    internal interface IOpAttributes
    {
        double[] Args { get; }
        bool TransA { get; }
        bool TransB { get; }
    }
}
