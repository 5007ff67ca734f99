using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A convolutional network trains alike however it is placed: data parallel (batch norm's statistics
    /// are the whole batch's, by SBP alone), on one device, and with its output channels split; its plan's gradients
    /// are eager autograd's, and evaluation uses the running statistics training left.</summary>
    public class VisionTests
    {
        private const int Steps = 10;

        private static (Tensor X, Tensor Y) Batch(int step) => (Data.Floats(500 + step, 8, 3, 8, 8), Data.Labels(600 + step, 8, 10));

        /// <summary>Ten momentum-SGD steps; returns the losses and the running statistics after them.</summary>
        private static (float[] Losses, float[][] Statistics) Train(Func<VisionNet, VisionNet.Training> trainer)
        {
            var model = new VisionNet(seed: 3);
            using var t = trainer(model);
            // Two batches in turn: random labels the network can learn by heart, so the loss falls.
            var losses = Enumerable.Range(0, Steps).Select(s => t.Step(Batch(s % 2).X, Batch(s % 2).Y)).ToArray();
            return (losses, model.Buffers.Select(b => b.Value.ToArray()).ToArray());
        }

        /// <summary>The convolutions' weights split by output channels over two devices, the images whole on both.</summary>
        private static NetworkSpec OutputChannelsSplit()
            => VisionNet.Spec.WithPlacement("cpu:0-1") with
            {
                Weights = new(VisionNet.Spec.Weights.Select(w => w.Name is "c1" or "c2" ? w with { Sbp = "S(0)" } : w).ToArray()),
                Inputs = new(VisionNet.Spec.Inputs.Select(x => x with { Sbp = "B" }).ToArray()),
            };

        [Fact]
        public void Data_parallel_one_device_and_split_output_channels_give_the_same_losses_and_running_statistics()
        {
            static Sgd Momentum() => new Sgd(0.05f, momentum: 0.9f);
            var one = Train(m => m.Trainer(Momentum(), "cpu:0"));
            var data = Train(m => m.Trainer(Momentum()));
            var channels = Train(m => m.Trainer(Momentum(), OutputChannelsSplit()));
            Agreement.SameLosses(Steps, s => (one.Losses[s], data.Losses[s]), 1e-4);
            Agreement.SameLosses(Steps, s => (one.Losses[s], channels.Losses[s]), 1e-4);
            foreach (var other in new[] { data.Statistics, channels.Statistics })
                for (int b = 0; b < one.Statistics.Length; b++)
                    for (int i = 0; i < one.Statistics[b].Length; i++)
                        Assert.True(Math.Abs(one.Statistics[b][i] - other[b][i]) <= 1e-5 * Math.Max(1, Math.Abs(one.Statistics[b][i])),
                            $"buffer {b} element {i}: {one.Statistics[b][i]} on one device, {other[b][i]} on several");
            Assert.True(one.Losses[^1] < one.Losses[0], $"the loss went from {one.Losses[0]} to {one.Losses[^1]}");
        }

        [Fact]
        public void Convolutions_without_unfolding_train_alike_on_four_devices_and_on_one()
        {
            var one = new WideNet(seed: 8);
            var four = new WideNet(seed: 8);
            using var t1 = one.Trainer(new Sgd(0.05f, momentum: 0.9f), "cpu:0");
            using var t4 = four.Trainer(new Sgd(0.05f, momentum: 0.9f));
            Agreement.SameLosses(Steps, s =>
            {
                var (x, y) = (Data.Floats(900 + s % 2, 4, 8, 16, 16), Data.Labels(910 + s % 2, 4, 10));
                return (t1.Step(x, y), t4.Step(x, y));
            }, 1e-4);
        }

        [Fact]
        public void The_data_parallel_plan_reduces_batch_statistics_and_the_channel_split_plan_splits_them()
        {
            var model = new VisionNet(seed: 3);
            using var data = model.Trainer(new Sgd(0.1f));
            var mean = data.Plan.Tensors.First(t => t.Name.EndsWith(".mean", StringComparison.Ordinal) && t.Shape.Rank == 1);
            Assert.Equal("P", mean.Sbp.ToString());
            Assert.Contains(data.Plan.Ops, o => o.Kind == OpKind.Boxing && o.Inputs[0] == mean.Id && BoxingOp.Attributes(o).To.ToString() == "B");
            using var channels = model.Trainer(new Sgd(0.1f), OutputChannelsSplit());
            Assert.Contains(channels.Plan.Tensors, t => t.Shape.Rank == 1 && t.Name.EndsWith(".mean", StringComparison.Ordinal) && t.Sbp.ToString() == "S(0)");
        }

        [Fact]
        public void Plan_gradients_equal_eager_gradients_in_training_mode()
        {
            var eager = new VisionNet(seed: 4);
            var planned = new VisionNet(seed: 4);
            var (x, y) = Batch(0);
            eager.Train();
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => SoftmaxCrossEntropy(eager.Forward(x), y), planned.Parameters, sgd =>
            {
                using var t = planned.Trainer(sgd);
                t.Step(x, y);
            });
            // Both updated their running statistics once, from the same batch.
            foreach (var ((_, e), (_, p)) in eager.Buffers.Zip(planned.Buffers))
                Assert.Equal(e.ToArray(), p.ToArray(), new FloatTolerance(1e-5f));
        }

        [Fact]
        public void Inference_and_eager_evaluation_use_the_running_statistics()
        {
            var model = new VisionNet(seed: 5);
            using (var t = model.Trainer(new Sgd(0.1f))) for (int s = 0; s < 3; s++) t.Step(Batch(s).X, Batch(s).Y);
            var before = model.Buffers.Select(b => b.Value.ToArray()).ToArray();
            var x = Batch(7).X;
            var inferred = model.Infer(x).ToArray();
            model.Eval();
            try
            {
                Assert.Equal(inferred, model.Forward(x).ToArray(), new FloatTolerance(1e-4f));
            }
            finally
            {
                model.Train();
            }
            // Evaluating changed no statistic; a batch of one sample evaluates, as it could not train.
            Assert.Equal(before, model.Buffers.Select(b => b.Value.ToArray()).ToArray());
            Assert.Equal(new[] { 1, 10 }, model.Infer(Data.Floats(9, 1, 3, 8, 8)).Shape.ToArray());
        }

        [Fact]
        public void Weights_and_buffers_are_saved_and_loaded_under_their_names()
        {
            var model = new VisionNet(seed: 6);
            using (var t = model.Trainer(new Sgd(0.1f))) t.Step(Batch(0).X, Batch(0).Y);
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vision-{Guid.NewGuid():N}.safetensors");
            try
            {
                model.SaveWeights(path);
                var names = Checkpoints.SafeTensors.Read(path, out _).Select(t => t.Name).ToArray();
                Assert.Contains("m1", names);
                Assert.Contains("v2", names);
                var copy = new VisionNet(seed: 99);
                copy.LoadWeights(path);
                Assert.Equal(model.Infer(Batch(1).X).ToArray(), copy.Infer(Batch(1).X).ToArray());
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        private sealed class FloatTolerance : IEqualityComparer<float>
        {
            private readonly float _tolerance;
            public FloatTolerance(float tolerance) => _tolerance = tolerance;
            public bool Equals(float a, float b) => Math.Abs(a - b) <= _tolerance * Math.Max(1, Math.Abs(a));
            public int GetHashCode(float value) => 0;
        }
    }
}
