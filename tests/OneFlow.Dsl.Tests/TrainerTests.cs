using System;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    public class TrainerTests
    {
        [Fact]
        public void Wrong_shape_throws_naming_both_shapes_and_the_trainer_stays_usable()
        {
            using var broken = new Mlp(seed: 1).Trainer(new Sgd(0.1f));
            using var fresh = new Mlp(seed: 1).Trainer(new Sgd(0.1f));
            var x = Data.Floats(1, 64, 784);
            var y = Data.Labels(2, 64, 10);
            var e = Assert.Throws<ArgumentException>(() => broken.Step(Data.Floats(1, 32, 784), y));
            Assert.Contains("[64,784]", e.Message);
            Assert.Contains("[32,784]", e.Message);
            Assert.Throws<ArgumentException>(() => broken.Step(x, Data.Labels(2, 63, 10)));
            Assert.Throws<ArgumentException>(() => broken.Step(x, Tensor.From(Enumerable.Repeat(10, 64).ToArray(), 64)));
            Assert.Equal(fresh.Step(x, y), broken.Step(x, y));
        }

        [Fact]
        public void Infer_equals_eager_Forward()
        {
            var model = new Mlp(seed: 5);
            var x = Data.Floats(9, 64, 784);
            var graph = model.Infer(x).ToArray();
            var eager = model.Forward(x).ToArray();
            Assert.Equal(eager.Length, graph.Length);
            for (int i = 0; i < eager.Length; i++) Assert.Equal(eager[i], graph[i], 4);
        }

        [Fact]
        public void Infer_sees_trained_weights()
        {
            var model = new Mlp(seed: 5);
            var x = Data.Floats(9, 64, 784);
            var before = model.Infer(x).ToArray();
            using var trainer = model.Trainer(new Sgd(0.1f));
            trainer.Step(x, Data.Labels(4, 64, 10));
            var after = model.Infer(x).ToArray();
            Assert.Equal(model.Forward(x).ToArray()[0], after[0], 4);
            Assert.NotEqual(before[0], after[0]);
        }

        [Fact]
        public void Same_seed_gives_same_weights_different_seed_different()
        {
            Assert.Equal(new Mlp(seed: 3).Parameters[0].ToArray(), new MlpDataParallel(seed: 3).Parameters[0].ToArray());
            Assert.NotEqual(new Mlp(seed: 3).Parameters[0].ToArray(), new Mlp(seed: 4).Parameters[0].ToArray());
        }

        [Fact]
        public void Generated_plan_equals_the_plan_made_at_run_time()
        {
            var atRunTime = NetworkPlanner.Compile(Mlp.Spec, PlanMode.Train);
            Assert.Equal(PlanText.Write(atRunTime), PlanText.Write(Mlp.TrainPlan));
            Assert.Equal(Mlp.PlanHash, PlanText.Hash(PlanText.Write(atRunTime)));
        }

        [Fact]
        public void Report_shows_the_boxing_before_the_first_MatMul()
        {
            Assert.Contains("all-gather x [64,784]: S(0) -> B, needed by w1-x", Mlp.PlanReport.Replace("needed by %0 = MatMul(x, w1)", "needed by w1-x"));
        }
    }
}
