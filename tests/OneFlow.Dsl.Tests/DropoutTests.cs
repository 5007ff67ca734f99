using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    public class DropoutTests
    {
        /// <summary>The mask depends on the element's place in the whole tensor, not on the device holding it: four
        /// devices train exactly like one, step after step (each step a new mask).</summary>
        [Fact]
        public void Four_devices_draw_the_same_mask_as_one()
        {
            using var one = new DropoutNet(seed: 1).Trainer(new Sgd(0.2f), "cpu:0");
            using var four = new DropoutNet(seed: 1).Trainer(new Sgd(0.2f));
            Agreement.SameLosses(10, s =>
            {
                var (x, y) = (Data.Floats(50 + s, 8, 12), Data.Labels(60 + s, 8, 5));
                return (one.Step(x, y), four.Step(x, y));
            });
        }

        [Fact]
        public void Inference_keeps_every_unit_and_training_drops_about_p()
        {
            var model = new DropoutNet(seed: 2);
            Assert.DoesNotContain(DropoutNet.InferPlan.Ops, o => o.Kind == Planner.Ops.OpKind.Dropout);
            Assert.Contains(DropoutNet.TrainPlan.Ops, o => o.Kind == Planner.Ops.OpKind.Dropout);
            var ones = Tensor.From(Enumerable.Repeat(1f, 10000).ToArray(), 100, 100);
            var dropped = Ops.Dropout(ones, 0.25).ToArray();
            double kept = dropped.Count(v => v != 0) / 10000.0;
            Assert.InRange(kept, 0.72, 0.78);
            Assert.All(dropped.Where(v => v != 0), v => Assert.Equal(1f / 0.75f, v, 5));
            Assert.Contains("probability p in [0, 1)", Assert.Throws<ArgumentException>(() => Ops.Dropout(ones, 1.0)).Message);
        }

        /// <summary>Dropout is off in Infer and in eager evaluation mode, on in training mode (the default).</summary>
        [Fact]
        public void Eval_mode_and_Infer_keep_every_unit_and_Train_mode_drops()
        {
            var model = new DropoutNet(seed: 2);
            var x = Data.Floats(3, 8, 12);
            Assert.True(model.IsTraining);
            var dropped = model.Forward(x).ToArray();
            model.Eval();
            try
            {
                Assert.False(model.IsTraining);
                var kept = model.Forward(x).ToArray();
                Assert.Equal(kept, model.Forward(x).ToArray());
                Assert.NotEqual(kept, dropped);
                var inferred = model.Infer(x).ToArray();
                for (int i = 0; i < kept.Length; i++) Assert.Equal(kept[i], inferred[i], 5);
                var ones = Tensor.Ones(10, 10);
                Assert.Same(ones, Ops.Dropout(ones, 0.5));
            }
            finally
            {
                model.Train();
            }
            Assert.True(model.IsTraining);
            Assert.NotEqual(model.Forward(x).ToArray(), model.Forward(x).ToArray());
        }

        [Fact]
        public void Gradient_flows_through_the_kept_units_only()
        {
            var x = Data.Floats(3, 4, 6);
            x.RequiresGrad = true;
            var y = Ops.Dropout(x, 0.5);
            Ops.SoftmaxCrossEntropy(y, Data.Labels(4, 4, 6)).Backward();
            var kept = y.ToArray().Select(v => v != 0).ToArray();
            var grad = x.Grad!.ToArray();
            for (int i = 0; i < grad.Length; i++) if (!kept[i]) Assert.Equal(0f, grad[i]);
            Assert.Contains(grad, g => g != 0);
        }
    }
}
