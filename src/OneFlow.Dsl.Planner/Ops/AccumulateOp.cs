using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean over a step's micro-batches: piece p of M adds x/M into a register that lives through the
    /// step (the first piece overwrites it). Gradients and the loss pass through it, so everything after it (the
    /// gradient collectives, clipping, the updates) runs once per step on the whole batch's mean. Linear, so any
    /// layout passes through unchanged, partial sums included.</summary>
    internal sealed record AccumulateAttributes(int MicroBatches) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("microBatches", MicroBatches);
    }

    internal sealed class AccumulateOp : ElementwiseOp
    {
        public override string NotDifferentiable => "it runs after the backward pass";
        protected override bool Linear => true;

        public static int MicroBatches(IOpAttributes op) => op.Get<AccumulateAttributes>().MicroBatches;
        public override OpAttributes ReadAttributes(AttributeReader r) => new AccumulateAttributes(r.Int("microBatches"));
    }
}
