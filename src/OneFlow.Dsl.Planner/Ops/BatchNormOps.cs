using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>y = (x − mean) / √(var + ε) · γ + β per channel of x [N, C, …], from operands (x, mean, var, γ, β). Its
    /// arguments are ε and whether mean and var are x's own batch statistics (training) or constants (the running
    /// statistics, in evaluation): the gradient differs. With batch statistics the rule treats them as functions of x
    /// and gives the whole batch-norm gradient at once, in two passes, instead of chaining the statistics' own.</summary>
    /// <summary>ε, and whether mean and var are the batch's own statistics (training) or constants.</summary>
    internal sealed record BatchNormAttributes(double Eps, bool BatchStatistics) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("eps", Eps).Bool("batchStatistics", BatchStatistics);
        public static BatchNormAttributes Read(AttributeReader r) => new BatchNormAttributes(r.Double("eps"), r.Bool("batchStatistics"));
    }

    /// <summary>The ε of an op that divides by √(var + ε).</summary>
    internal sealed record EpsilonAttributes(double Eps) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("eps", Eps);
    }

    internal sealed class BatchNormOp : OpDef
    {
        public override string[] Operands => new[] { "x", "mean", "var", "gamma", "beta" };
        public override OpAttributes ReadAttributes(AttributeReader r) => BatchNormAttributes.Read(r);

        /// <summary>Evaluation's form, on the running statistics; one normalising with the batch's statistics trains.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            var (eps, batch) = Attributes(w.Op);
            if (batch) throw w.NoForm("it normalises with the batch's statistics, which only training does");
            w.Emit("BatchNormalization", new[] { w.Input(0), w.Input(3), w.Input(4), w.Input(1), w.Input(2) }, OnnxAttribute.Of("epsilon", eps));
        }

        public static (float Eps, bool BatchStatistics) Attributes(IOpAttributes op)
        {
            var a = op.Get<BatchNormAttributes>();
            return ((float)a.Eps, a.BatchStatistics);
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
            => ChannelLayout.Signatures(c.Input("x").Rank, PerWhat.Element,
                PerWhat.Element, PerWhat.Channel, PerWhat.Channel, PerWhat.Channel, PerWhat.Channel);

        /// <summary>With r = (Σdy, Σdy·x̂) per channel: dγ = r₁, dβ = r₀, and dx = γ/σ·(dy − r₀/n − x̂·r₁/n) with batch
        /// statistics, γ/σ·dy with constant ones, whose own gradients are then dmean = −γ/σ·r₀, dvar = −½·γ/σ³·Σdy·(x − mean).</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0], mean = op.Inputs[1], variance = op.Inputs[2], gamma = op.Inputs[3], beta = op.Inputs[4];
            var (eps, batch) = Attributes(op);
            bool statistics = !batch && (ad.NeedsGradient(mean) || ad.NeedsGradient(variance));
            if (!ad.NeedsGradient(x) && !ad.NeedsGradient(gamma) && !ad.NeedsGradient(beta) && !statistics) return;
            int r = ad.Emit(OpKind.BatchNormReduce, new[] { dy, x, mean, variance }, x, new EpsilonAttributes(eps));
            if (ad.NeedsGradient(gamma)) ad.Accumulate(gamma, Row(ad, r, 1, gamma));
            if (ad.NeedsGradient(beta)) ad.Accumulate(beta, Row(ad, r, 0, beta));
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.BatchNormInputGrad, new[] { dy, x, mean, variance, gamma, r }, x, op.Attributes));
            if (statistics) StatisticsGradients(ad, op, r);
        }

        private static void StatisticsGradients(GradientBuilder ad, LogicalOp op, int r)
        {
            int mean = op.Inputs[1], variance = op.Inputs[2], gamma = op.Inputs[3];
            int shifted = ad.Emit(OpKind.AddScalar, new[] { variance }, variance, new ScalarAttributes(Attributes(op).Eps));
            int inverse = ad.Emit(OpKind.Reciprocal, new[] { ad.Emit(OpKind.Sqrt, new[] { shifted }, variance) }, variance);
            int scale = ad.Mul(gamma, inverse, variance);
            if (ad.NeedsGradient(mean)) ad.Accumulate(mean, ad.Neg(ad.Mul(scale, Row(ad, r, 0, mean), mean), mean));
            if (ad.NeedsGradient(variance))
                ad.Accumulate(variance, ad.Scale(ad.Mul(ad.Mul(scale, inverse, variance), Row(ad, r, 1, variance), variance), -0.5, variance));
        }

        /// <summary>Row <paramref name="row"/> of r [2, C], as [C].</summary>
        private static int Row(GradientBuilder ad, int r, int row, int of)
        {
            int channels = ad.ShapeOf(r)[1];
            int slice = ad.Emit(OpKind.Slice, new[] { r }, of, new SliceAttributes(0, row, 1));
            return ad.Emit(OpKind.Reshape, new[] { slice }, of, new ReshapeAttributes(new long[] { channels }));
        }
    }

    /// <summary>r [2, C] = (Σ dy, Σ dy·x̂) per channel, x̂ = (x − mean)/√(var + ε), from (dy, x, mean, var): the
    /// reductions of batch norm's gradient, partial sums where the batch is split.</summary>
    internal sealed class BatchNormReduceOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "x", "mean", "var" };
        public static float Eps(IOpAttributes op) => (float)op.Get<EpsilonAttributes>().Eps;
        public override OpAttributes ReadAttributes(AttributeReader r) => new EpsilonAttributes(r.Double("eps"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => new Shape(2, ShapeOf(g, op, 1)[ChannelLayout.Axis]);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            foreach (var s in ChannelLayout.Signatures(c.Input("dy").Rank, PerWhat.ChannelRows, PerWhat.Element, PerWhat.Element, PerWhat.Channel, PerWhat.Channel))
                yield return s;
            yield return In(Sbp.P, Sbp.B, Sbp.B, Sbp.B).Out(Sbp.P);
        }
    }

    /// <summary>dx of batch norm from (dy, x, mean, var, γ, r), with <see cref="BatchNormOp"/>'s arguments.</summary>
    internal sealed class BatchNormInputGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "x", "mean", "var", "gamma", "r" };
        public override OpAttributes ReadAttributes(AttributeReader r) => BatchNormAttributes.Read(r);
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 1);

        public override IEnumerable<Signature> Signatures(SignatureContext c)
            => ChannelLayout.Signatures(c.Input("dy").Rank, PerWhat.Element,
                PerWhat.Element, PerWhat.Element, PerWhat.Channel, PerWhat.Channel, PerWhat.Channel, PerWhat.ChannelRows);
    }

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
