using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The optimizer a network declares is compiled into its training plan: the trainer for it runs that
    /// plan, and the report shows its update ops; a trainer for another optimizer plans at run time and says so.</summary>
    public class CompiledOptimizerTests
    {
        private static AdamW Declared() => new AdamW(1e-3f, weightDecay: 0.01f) { ClipGradientNorm = 1f };

        [Fact]
        public void The_declared_optimizer_runs_the_compiled_plan()
        {
            using var trainer = new AdamNet(seed: 1).Trainer(Declared());
            Assert.True(trainer.Compiled);
            Assert.Same(AdamNet.TrainPlan, trainer.Plan);
            Assert.StartsWith("compiled at build time\n", trainer.PlanReport);
            Assert.Contains("AdamUpdate(w1, dw1", AdamNet.PlanReport);
            Assert.Contains(AdamNet.TrainPlan.Ops, o => o.Kind == OpKind.SumSquares);
            Assert.Equal(4, AdamNet.TrainPlan.Tensors.Count(t => t.Role == Planner.Model.TensorRole.OptimizerState));
            // The same plan the runtime would make for this optimizer.
            Assert.Equal(PlanText.Write(NetworkPlanner.Compile(AdamNet.Spec, PlanMode.Train, update: Planner.Model.UpdateRule.Adam, clip: true)), PlanText.Write(trainer.Plan));
        }

        [Fact]
        public void Another_optimizer_is_planned_at_run_time_and_says_so()
        {
            using var sgd = new AdamNet(seed: 1).Trainer(new Sgd(0.1f));
            Assert.False(sgd.Compiled);
            Assert.StartsWith("planned at run time, for Sgd on cpu:0-1:", sgd.PlanReport);
            Assert.Contains(sgd.Plan.Ops, o => o.Kind == OpKind.SgdUpdate);
            using var unclipped = new AdamNet(seed: 1).Trainer(new Adam(1e-3f));
            Assert.False(unclipped.Compiled);
        }

        [Fact]
        public void The_compiled_plan_trains_as_the_eager_optimizer_does()
        {
            using var trainer = new AdamNet(seed: 2).Trainer(Declared());
            var model = new AdamNet(seed: 2);
            var reference = Declared();
            for (int s = 0; s < 6; s++)
            {
                var (x, y) = (Data.Floats(10 + s, 16, 8), Data.Labels(20 + s, 16, 4));
                var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), y);
                loss.Backward();
                reference.Step(model.Parameters);
                float planned = trainer.Step(x, y);
                Assert.True(System.Math.Abs(planned - loss.Item()) <= 1e-4, $"step {s}: plan {planned}, eager {loss.Item()}");
            }
        }
    }
}
