using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Batch norm over x [N, C, H, W] (or [N, C], as PyTorch's BatchNorm1d) with operands (x, γ, β, running
    /// mean, running var) and arguments (momentum, ε). Training normalises with the batch's statistics and updates
    /// the running ones; evaluation normalises with the running ones. The statistics are ops of their own whose
    /// per-channel sums SBP reduces like any partial sum, so that a data-parallel plan normalises with the whole
    /// batch's statistics (what PyTorch needs SyncBatchNorm for) and trains exactly as on one device.</summary>
    internal sealed record BatchNorm2dAttributes(double Momentum, double Eps) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("momentum", Momentum).Double("eps", Eps);
    }

    internal sealed class BatchNorm2dOp : CompositeOp
    {
        public override string UserName => "BatchNorm2d";
        public override string[] Operands => new[] { "x", "gamma", "beta", "runningMean", "runningVar" };

        public override OpAttributes FromCall(string subject, double[] args)
        {
            if (args.Length != 2) throw BadCall(subject, "BatchNorm2d takes a momentum and an epsilon after its five tensors.");
            if (!(args[0] >= 0 && args[0] <= 1) || !(args[1] > 0))
                throw BadCall(subject, $"BatchNorm2d: momentum {args[0]} must lie in [0, 1] and epsilon {args[1]} be positive.");
            return new BatchNorm2dAttributes(args[0], args[1]);
        }

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            int x = inputs[0];
            var shape = b.ShapeOf(x);
            Check(b, inputs);
            var (momentum, eps) = (BatchNorm2dAttributes)attributes!;
            if (!b.Training) return b.Add(OpKind.BatchNorm, new[] { x, inputs[3], inputs[4], inputs[1], inputs[2] }, "norm", new BatchNormAttributes(eps, false));
            long count = ChannelLayout.Count(shape);
            if (count < 2)
                throw b.Mismatch($"BatchNorm2d: {b.NameOf(x)} {shape} has one value per channel, and training needs more than one; use a larger batch, or evaluate (Eval()).");
            int mean = b.Add(OpKind.ChannelMean, new[] { x }, "mean");
            int variance = b.Add(OpKind.ChannelVariance, new[] { x, mean }, "var");
            b.Add(OpKind.RunningStatsUpdate, new[] { inputs[3], inputs[4], mean, variance }, "running", new RunningStatsAttributes(momentum, count));
            return b.Add(OpKind.BatchNorm, new[] { x, mean, variance, inputs[1], inputs[2] }, "norm", new BatchNormAttributes(eps, true));
        }

        private static void Check(CompositeBuilder b, int[] inputs)
        {
            var x = b.ShapeOf(inputs[0]);
            if (x.Rank != 4 && x.Rank != 2)
                throw b.Mismatch($"BatchNorm2d: {b.NameOf(inputs[0])} is {x} but must be [N, C, H, W] or [N, C].");
            string[] roles = { "gamma", "beta", "the running mean", "the running variance" };
            for (int i = 1; i < 5; i++)
            {
                var s = b.ShapeOf(inputs[i]);
                if (s.Rank != 1 || s[0] != x[1])
                    throw b.Mismatch($"BatchNorm2d: {roles[i - 1]} {b.NameOf(inputs[i])} is {s} but {b.NameOf(inputs[0])} {x} has {x[1]} channels; " +
                                     $"declare it [{(i < 3 ? "Weight" : "Buffer")}({x[1]}{(i == 1 || i == 4 ? ", Fill = 1" : "")})].");
            }
        }
    }
}
