using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Any scalar loss trains in a plan: PyTorch's regression and multi-label losses, losses written out,
    /// and sums of several terms; float targets of a declared shape; several inputs.</summary>
    public class LossTests
    {
        /// <summary>A linear teacher of both inputs: target = x·a + z·b.</summary>
        private static (Tensor X, Tensor Z, Tensor Target) Teacher(int seed, int rows = 16)
        {
            Tensor a = Data.Floats(1000, 8, 3), b = Data.Floats(1001, 4, 3);
            var x = Data.Floats(seed, rows, 8);
            var z = Data.Floats(seed + 1, rows, 4);
            return (x, z, Tensor.From((Ops.MatMul(x, a) + Ops.MatMul(z, b)).ToArray(), rows, 3));
        }

        [Fact]
        public void Mse_regression_from_two_inputs_learns_a_linear_teacher()
        {
            using var trainer = new Regression(seed: 1).Trainer(new Adam(0.01f));
            float first = 0, last = 0;
            for (int step = 0; step < 300; step++)
            {
                var (x, z, target) = Teacher(step);
                last = trainer.Step(x, z, target);
                if (step == 0) first = last;
            }
            Assert.True(last < first / 20 && last < 0.05, $"loss {first} -> {last}");
        }

        [Fact]
        public void A_loss_written_out_trains_as_MseLoss_does()
        {
            using var op = new Regression(seed: 2).Trainer(new Sgd(0.05f));
            using var composed = new ComposedRegression(seed: 2).Trainer(new Sgd(0.05f));
            Agreement.SameLosses(20, s =>
            {
                var (x, z, target) = Teacher(50 + s);
                return (op.Step(x, z, target), composed.Step(x, z, target));
            });
        }

        [Fact]
        public void Four_devices_train_a_regression_like_one()
        {
            using var one = new ComposedRegression(seed: 3).Trainer(new Sgd(0.05f), "cpu:0");
            using var four = new ComposedRegression(seed: 3).Trainer(new Sgd(0.05f));
            Agreement.SameLosses(10, s =>
            {
                var (x, z, target) = Teacher(80 + s);
                return (one.Step(x, z, target), four.Step(x, z, target));
            });
        }

        [Fact]
        public void Plan_gradients_of_losses_of_several_terms_equal_eager_ones()
        {
            var x = Data.Floats(5, 8, 6);
            var labels = Data.Labels(6, 8, 4);
            PenalisedClassifier eager = new(seed: 4), planned = new(seed: 4);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => eager.Loss(eager.Forward(x), labels),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, labels); });

            var targets = Tensor.From(Data.Floats(7, 8, 4).ToArray().Select(v => v > 0 ? 1f : 0f).ToArray(), 8, 4);
            MultiLabel eagerBce = new(seed: 5), plannedBce = new(seed: 5);
            Agreement.PlanGradientsEqualEager(eagerBce.Parameters, () => eagerBce.Loss(eagerBce.Forward(x), targets),
                plannedBce.Parameters, sgd => { using var t = plannedBce.Trainer(sgd); t.Step(x, targets); });
        }

        [Fact]
        public void Step_says_what_the_loss_expects()
        {
            using var trainer = new Regression(seed: 1).Trainer(new Sgd(0.1f));
            var (x, z, _) = Teacher(1);
            var e = Assert.Throws<ArgumentException>(() => trainer.Step(x, z, Data.Labels(1, 16, 3)));
            Assert.Equal("Step: labels must hold floats, shape [16,3]; the tensor given holds integers, shape [16]. (Parameter 'labels')", e.Message);
            using var classifier = new PenalisedClassifier(seed: 1).Trainer(new Sgd(0.1f));
            e = Assert.Throws<ArgumentException>(() => classifier.Step(Data.Floats(1, 8, 6), Data.Floats(2, 8)));
            Assert.Equal("Step: labels must hold integers (class ids), shape [8]; the tensor given holds floats, shape [8]. Make it with Tensor.From(int[], ...). (Parameter 'labels')", e.Message);
        }
    }
}
