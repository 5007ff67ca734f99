using System;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Modules and repeated blocks: inlined into one plan with their weights named by path, placed by their
    /// fields and stages, computing what their eager Forward computes.</summary>
    public class ModuleTests
    {
        private static (Tensor X, Tensor Y) TokenBatch(int seed)
        {
            var random = new Random(seed);
            var ids = Enumerable.Range(0, 12).Select(_ => random.Next(10)).ToArray();
            var next = Enumerable.Range(0, 12).Select(_ => random.Next(10)).ToArray();
            return (Tensor.From(ids, 4, 3), Tensor.From(next, 4, 3));
        }

        [Fact]
        public void Repeated_blocks_are_weights_named_by_path_on_their_stages()
        {
            var weights = TinyGpt.Spec.Weights.Select(w => w.Name).ToArray();
            Assert.Equal(2 + 4 * 6 + 1, weights.Length);
            Assert.Contains("blocks.0.qkv", weights);
            Assert.Contains("blocks.3.down", weights);
            var plan = TinyGpt.TrainPlan;
            Assert.Equal(4, plan.Devices);
            Assert.Equal("cpu:0-1", plan.Tensors.Single(t => t.Name == "blocks.1.up").Placement.ToString());
            Assert.Equal("cpu:2-3", plan.Tensors.Single(t => t.Name == "blocks.2.up").Placement.ToString());
            // Values computed inside a block are named under its path too.
            Assert.Contains(plan.Tensors, t => t.Name == "blocks.2.attention");
            // The residual stream crosses between the stages once each way forward (into the blocks of cpu:2-3 and
            // back to the head); every other transfer carries its gradient.
            var transfers = plan.Ops.Where(o => o.Collective == Collective.Transfer).Select(o => plan.Tensors[o.Inputs[0]]).ToList();
            Assert.True(transfers.Count(t => t.Role != TensorRole.Gradient) == 2, TinyGpt.PlanReport);
            Assert.All(transfers, t => Assert.True(t.Shape.ToString() == "[12,8]", TinyGpt.PlanReport));
        }

        [Fact]
        public void A_layer_norm_gain_starts_at_its_fill_value()
        {
            var model = new TinyGpt(seed: 1);
            var named = model.NamedParameters.ToDictionary(x => x.Name, x => x.Value);
            Assert.Equal(TinyGpt.Spec.Weights.Select(w => w.Name).OrderBy(n => n, StringComparer.Ordinal), named.Keys.OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(named["blocks.2.gain"].ToArray(), v => Assert.Equal(1f, v));
            Assert.All(named["blocks.2.shift"].ToArray(), v => Assert.Equal(0f, v));
            Assert.NotEqual(named["blocks.0.qkv"].ToArray(), named["blocks.1.qkv"].ToArray());
        }

        [Fact]
        public void Pipelined_blocks_plan_gradients_equal_eager_gradients()
        {
            var (x, y) = TokenBatch(5);
            TinyGpt eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
        }

        [Fact]
        public void Pipelined_stages_train_like_the_network_on_one_device()
        {
            var adam = () => new AdamW(0.01f) { Schedule = LearningRateSchedule.WarmupCosine(2, 10), ClipGradientNorm = 1f };
            using var stages = new TinyGpt(seed: 4).Trainer(adam());
            using var one = new TinyGpt(seed: 4).Trainer(adam(), TinyGpt.Spec.WithOnePlacement("cpu:0"));
            Assert.Equal(1, one.Plan.Devices);
            Agreement.SameLosses(10, s =>
            {
                var (x, y) = TokenBatch(20 + s);
                return (one.Step(x, y), stages.Step(x, y));
            });
        }

        /// <summary>The check for pipelining: two micro-batches per step streaming through the two stages
        /// (gradients accumulated, weights updated once) give the losses of the whole batch in one piece.</summary>
        [Fact]
        public void Micro_batches_through_the_stages_train_like_the_whole_batch()
        {
            var adam = () => new AdamW(0.01f) { Schedule = LearningRateSchedule.WarmupCosine(2, 10), ClipGradientNorm = 1f };
            using var whole = new TinyGpt(seed: 6).Trainer(adam());
            using var pipelined = new TinyGpt(seed: 6).Trainer(adam(), TinyGpt.Spec with { MicroBatches = 2 });
            Assert.Equal(2, pipelined.Plan.MicroBatches);
            Assert.Contains("expected bubble 33.3%", pipelined.PlanReport);
            Agreement.SameLosses(10, s =>
            {
                var (x, y) = TokenBatch(40 + s);
                return (whole.Step(x, y), pipelined.Step(x, y));
            });
        }

        [Fact]
        public void Four_micro_batches_of_the_pipelined_mlp_train_like_one_device()
        {
            using var one = new MlpDataParallel(seed: 8).Trainer(new Sgd(0.1f), "cpu:0");
            using var pipelined = new PipelinedMlp(seed: 8).Trainer(new Sgd(0.1f), PipelinedMlp.Spec with { MicroBatches = 4 });
            Agreement.SameLosses(10, s =>
            {
                var (x, y) = (Data.Floats(500 + s, 64, 784), Data.Labels(600 + s, 64, 10));
                return (one.Step(x, y), pipelined.Step(x, y));
            });
            var e = Assert.Throws<System.ArgumentException>(() => pipelined.Step(Data.Floats(1, 16, 784), Data.Labels(1, 16, 10)));
            Assert.Contains("x must hold floats, shape [64,784]; the tensor given holds floats, shape [16,784]", e.Message);
        }

        [Fact]
        public void Modules_called_through_fields_and_indices_infer_what_eager_forward_computes()
        {
            var x = Data.Floats(8, 8, 6);
            var model = new DenseStack(seed: 2);
            var eager = model.Forward(x).ToArray();
            var planned = model.Infer(x).ToArray();
            for (int i = 0; i < eager.Length; i++) Assert.Equal(eager[i], planned[i], 5);
            Assert.Equal("cpu:2", DenseStack.TrainPlan.Tensors.Single(t => t.Name == "last.w").Placement.ToString());
        }

        [Fact]
        public void Module_weights_are_saved_under_their_paths()
        {
            string path = Path.Combine(Path.GetTempPath(), $"modules-{Guid.NewGuid():N}.safetensors");
            try
            {
                var model = new DenseStack(seed: 2);
                model.SaveWeights(path);
                var names = Checkpoints.SafeTensors.Read(path).Select(t => t.Name).ToArray();
                Assert.Equal(new[] { "first.b", "first.w", "head", "last.b", "last.w", "pair.0.b", "pair.0.w", "pair.1.b", "pair.1.w" }, names.OrderBy(n => n, StringComparer.Ordinal));
                var other = new DenseStack(seed: 9);
                other.LoadWeights(path);
                Assert.Equal(model.Infer(Data.Floats(1, 8, 6)).ToArray(), other.Infer(Data.Floats(1, 8, 6)).ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
