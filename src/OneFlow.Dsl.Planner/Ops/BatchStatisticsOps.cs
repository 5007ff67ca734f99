using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean of each channel of x [N, C, …] over every other axis: [C].</summary>
    internal sealed class ChannelMeanOp : OpDef
    {
        public override string NotDifferentiable => "it is a batch statistic, which the batch norm reading it differentiates through";
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => new Shape(ShapeOf(g, op, 0)[ChannelLayout.Axis]);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            foreach (var s in ChannelLayout.Signatures(c.Input("x").Rank, PerWhat.Channel, PerWhat.Element)) yield return s;
            yield return In(Sbp.P).Out(Sbp.P);
        }
    }

    /// <summary>The biased variance of each channel of x given its mean, Σ(x − mean)² / count: two passes, so that
    /// large activations lose nothing to cancellation.</summary>
    internal sealed class ChannelVarianceOp : OpDef
    {
        public override string NotDifferentiable => "it is a batch statistic, which the batch norm reading it differentiates through";
        public override string[] Operands => new[] { "x", "mean" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);
        public override IEnumerable<Signature> Signatures(SignatureContext c)
            => ChannelLayout.Signatures(c.Input("x").Rank, PerWhat.Channel, PerWhat.Element, PerWhat.Channel);
    }

    /// <summary>PyTorch's update of batch norm's running statistics, in place: mean ← (1 − m)·mean + m·batch mean,
    /// var ← (1 − m)·var + m·batch var·n/(n − 1) (unbiased). Its arguments are the momentum m and the count n.</summary>
    internal sealed record RunningStatsAttributes(double Momentum, long Count) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("momentum", Momentum).Int("count", Count);
    }

    internal sealed class RunningStatsUpdateOp : OpDef
    {
        public override string[] Operands => new[] { "runningMean", "runningVar", "mean", "var" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new RunningStatsAttributes(r.Double("momentum"), r.Long("count"));
        public override string NotDifferentiable => "it updates buffers, which are not trained";
        public override bool HasOutput => false;
        public override bool SignaturesFollowOperands => true;

        public static (float Momentum, long Count) Attributes(IOpAttributes op)
        {
            var a = op.Get<RunningStatsAttributes>();
            return ((float)a.Momentum, a.Count);
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        public override int[] UpdatedOperands(IOpAttributes op) => new[] { 0, 1 };

        /// <summary>Every operand laid out as the running mean: the update is local to each part.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var sbp = c.Input("runningMean").Sbp;
            yield return In(sbp, sbp, sbp, sbp).Out(sbp);
        }
    }
}
