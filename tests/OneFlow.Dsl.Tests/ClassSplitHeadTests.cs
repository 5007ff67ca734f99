using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A face-recognition-style network: a small embedding of each sample, then a classifier head of 10,000
    /// identities whose weight is split by columns over four devices.</summary>
    [Network(Batch = 16)]
    [Placement("cpu:0-3")]
    public partial class FaceHead
    {
        [Weight(64, 128)] Tensor embed;
        [Weight(128, 10_000), Sbp("S(1)")] Tensor head;

        public Tensor Forward([Input(64)] Tensor x) => MatMul(Tanh(MatMul(x, embed)), head);
    }

    /// <summary>A million identities × 128 features: 512 MB of head, a quarter on each device.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class MillionClassHead
    {
        [Weight(128, 1_000_000), Sbp("S(1)")] Tensor head;

        public Tensor Forward([Input(128)] Tensor x) => MatMul(x, head);
    }

    /// <summary>Softmax cross-entropy over logits split by class trains as on one device.</summary>
    public class ClassSplitHeadTests
    {
        [Fact]
        public void A_head_split_by_class_over_four_devices_gives_the_one_device_losses_for_10_steps()
        {
            var split = new FaceHead(seed: 4);
            var whole = new FaceHead(seed: 4);
            using var four = split.Trainer(new Sgd(lr: 0.5f));
            using var one = whole.Trainer(new Sgd(lr: 0.5f), "cpu:0");
            int head = four.Plan.Tensors.Single(t => t.Name == "head").Id;
            Assert.Equal(Sbp.S(1), four.Plan.Tensors[four.Plan.Ops.First(o => o.Kind == OpKind.MatMul && o.Inputs.Contains(head)).Output].Sbp[0]);
            for (int step = 0; step < 10; step++)
            {
                var x = Data.Floats(step, 16, 64);
                var labels = Data.Labels(100 + step, 16, 10_000);
                float a = four.Step(x, labels), b = one.Step(x, labels);
                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Abs(b), $"step {step}: four devices {a}, one {b}");
            }
        }

        [Fact]
        public void A_million_class_head_trains_on_four_devices_without_gathering_its_logits()
        {
            var model = new MillionClassHead(seed: 1);
            using var trainer = model.Trainer(new Sgd(lr: 0.5f));
            Assert.DoesNotContain(trainer.Plan.Ops, o => o.Kind == OpKind.Boxing && trainer.Plan.Tensors[o.Inputs[0]].Shape.Elements >= 1_000_000);
            var x = Data.Floats(1, 8, 128);
            var labels = Data.Labels(2, 8, 1_000_000);
            float first = trainer.Step(x, labels);
            Assert.InRange(first, Math.Log(1_000_000) - 0.5, Math.Log(1_000_000) + 0.5);
            float second = trainer.Step(x, labels), third = trainer.Step(x, labels);
            Assert.True(third < second && second < first, $"losses {first}, {second}, {third}");
        }
    }
}
