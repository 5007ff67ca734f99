using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Optimizers;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>SGD with momentum, Adam and AdamW in plans: their state lives beside each weight, laid out as the
    /// weight (split where it is split), and four devices train like one and like the eager optimizer.</summary>
    public class OptimizerTests
    {
        /// <summary>Each member of the attribute's enum names one rule, by name, and each eager optimizer plans with a
        /// rule that has its states and update ops: one definition per optimizer, not a table in each layer.</summary>
        [Fact]
        public void Every_optimizer_name_and_class_has_one_rule_definition()
        {
            var names = Enum.GetNames<Optimizers>();
            Assert.All(names, n => Assert.Single(UpdateRules.All, r => r.AttributeNames.Contains(n)));
            Assert.Equal(names.OrderBy(n => n), UpdateRules.All.SelectMany(r => r.AttributeNames).OrderBy(n => n));
            Assert.Equal(Enum.GetValues<UpdateRule>().OrderBy(r => r), UpdateRules.All.Select(r => r.Rule).OrderBy(r => r));
            var eager = new Optimizer[] { new Sgd(0.1f), new Sgd(0.1f, momentum: 0.9f), new Adam(0.1f), new AdamW(0.1f), new Adagrad(0.1f) };
            Assert.Equal(new[] { "Sgd", "SgdMomentum", "Adam", "AdamW", "Adagrad" }.Select(n => UpdateRules.FromAttributeName(n)!.Rule), eager.Select(o => o.Rule));
        }

        private static float[] Losses(Func<Tensor, Tensor, float> step, int steps = 10)
            => Enumerable.Range(0, steps).Select(s => step(Data.Floats(100 + s, 64, 784), Data.Labels(200 + s, 64, 10))).ToArray();

        private static float[] Eager(Optimizer optimizer, int steps = 10)
        {
            var model = new Mlp(seed: 7);
            return Losses((x, y) =>
            {
                var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), y);
                loss.Backward();
                optimizer.Step(model.Parameters);
                return loss.Item();
            }, steps);
        }

        public static TheoryData<string> Optimizers() => new TheoryData<string> { "momentum", "adam", "adamw", "scheduled", "clipped-sgd", "clipped-adamw" };

        private static Optimizer Make(string kind) => kind switch
        {
            "momentum" => new Sgd(0.05f, momentum: 0.9f),
            "adam" => new Adam(1e-3f),
            "adamw" => new AdamW(1e-3f, weightDecay: 0.1f),
            "clipped-sgd" => new Sgd(0.1f) { ClipGradientNorm = 0.05f },
            "clipped-adamw" => new AdamW(1e-3f) { ClipGradientNorm = 0.05f },
            _ => new AdamW(2e-3f) { Schedule = LearningRateSchedule.WarmupCosine(warmup: 3, total: 8, floor: 0.2f) },
        };

        [Theory]
        [MemberData(nameof(Optimizers))]
        public void Four_devices_train_like_one_and_like_the_eager_optimizer(string kind)
        {
            using var four = new Mlp(seed: 7).Trainer(Make(kind));
            using var one = new Mlp(seed: 7).Trainer(Make(kind), "cpu:0");
            Assert.Equal(4, four.Plan.Devices);
            var eager = Eager(Make(kind));
            var onOne = Losses(one.Step);
            var onFour = Losses(four.Step);
            Assert.True(onOne[^1] < onOne[0], $"the loss should fall: {string.Join(", ", onOne)}");
            for (int i = 0; i < onOne.Length; i++)
            {
                Assert.True(Math.Abs(onOne[i] - onFour[i]) <= 1e-5 * Math.Max(1, Math.Abs(onOne[i])), $"step {i}: one device {onOne[i]}, four {onFour[i]}");
                Assert.True(Math.Abs(onOne[i] - eager[i]) <= 1e-4 * Math.Max(1, Math.Abs(onOne[i])), $"step {i}: plan {onOne[i]}, eager {eager[i]}");
            }
        }

        /// <summary>A learning rate set between steps takes effect at the next one, and Adam's moments carry on: the
        /// trainer's losses follow the eager optimizer's with the same change.</summary>
        [Fact]
        public void The_learning_rate_changes_between_steps_and_the_state_carries_on()
        {
            var optimizer = new Adam(2e-3f);
            using var trainer = new Mlp(seed: 7).Trainer(optimizer);
            var reference = new Adam(2e-3f);
            var model = new Mlp(seed: 7);
            for (int s = 0; s < 8; s++)
            {
                if (s == 4) optimizer.LearningRate = reference.LearningRate = 5e-4f;
                var (x, y) = (Data.Floats(100 + s, 64, 784), Data.Labels(200 + s, 64, 10));
                var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), y);
                loss.Backward();
                reference.Step(model.Parameters);
                float planned = trainer.Step(x, y);
                Assert.True(Math.Abs(planned - loss.Item()) <= 1e-4 * Math.Max(1, Math.Abs(planned)), $"step {s}: plan {planned}, eager {loss.Item()}");
            }
            Assert.Same(optimizer, trainer.Optimizer);
            Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = 0);
        }

        /// <summary>Adam's two states per weight have the weight's layout: w1's are split by columns like w1, on
        /// the same devices, and no boxing op ever touches them.</summary>
        [Fact]
        public void Optimizer_state_is_sharded_like_its_weight()
        {
            using var t = new Mlp(seed: 1).Trainer(new Adam(1e-3f));
            var plan = t.Plan;
            var w1 = plan.Tensors.Single(x => x.Name == "w1");
            foreach (var name in new[] { "w1.m", "w1.v" })
            {
                var state = plan.Tensors.Single(x => x.Name == name);
                Assert.Equal(TensorRole.OptimizerState, state.Role);
                Assert.Equal(w1.Sbp, state.Sbp);
                Assert.Equal((NdSbp)Sbp.S(1), state.Sbp);
                Assert.All(plan.Registers.Where(r => r.Tensor == state.Id), r => Assert.True(r.Persistent));
            }
            Assert.Equal(8, plan.Tensors.Count(x => x.Role == TensorRole.OptimizerState));
            Assert.DoesNotContain(plan.Ops, o => o.Kind == OpKind.Boxing && plan.Tensors[o.Inputs[0]].Role == TensorRole.OptimizerState);
            // One update of the four weights, each with its two states (fusion groups a placement's updates).
            var update = plan.Ops.Single(o => o.Kind == OpKind.AdamUpdate);
            Assert.Equal(4, UpdateOp.Weights(update));
            Assert.Equal(new[] { "w1", "w1.m", "w1.v" }, new[] { 0, 2, 3 }.Select(i => plan.Tensors[update.Inputs[i]].Name));
        }

        /// <summary>Clipping by the global norm: a squared norm per gradient, added up, whole on every device before
        /// the updates; with a small enough limit it changes the course of training.</summary>
        [Fact]
        public void Clipping_reads_the_global_norm_and_changes_the_steps()
        {
            using var clipped = new Mlp(seed: 7).Trainer(new Sgd(0.1f) { ClipGradientNorm = 0.05f });
            var plan = clipped.Plan;
            Assert.Equal(4, plan.Ops.Count(o => o.Kind == OpKind.SumSquares));
            Assert.All(plan.Ops.Where(o => o.Kind == OpKind.SgdUpdate), o => Assert.True(plan.Tensors[o.Inputs[^1]].Sbp.AllBroadcast));
            using var plain = new Mlp(seed: 7).Trainer(new Sgd(0.1f));
            var a = Losses(clipped.Step, 3);
            var b = Losses(plain.Step, 3);
            Assert.Equal(a[0], b[0]);
            Assert.True(Math.Abs(a[2] - b[2]) > 1e-3, $"clipping at 0.05 should change the third loss: {a[2]} vs {b[2]}");
        }

        [Fact]
        public void Warmup_then_cosine_decay_to_the_floor()
        {
            var schedule = LearningRateSchedule.WarmupCosine(warmup: 10, total: 110, floor: 0.1f);
            Assert.Equal(0.1f, schedule.Rate(1f, 1), 6);
            Assert.Equal(1f, schedule.Rate(1f, 10), 6);
            Assert.Equal(0.55f, schedule.Rate(1f, 60), 5);
            Assert.Equal(0.1f, schedule.Rate(1f, 110), 6);
            Assert.Equal(0.1f, schedule.Rate(1f, 500), 6);
            Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosine(10, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(1e-3f, beta1: 1f));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: -0.5f));
        }
    }
}
