using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    public class EmbeddingTests
    {
        private static Tensor Tokens(int seed) => Tensor.From(Data.Labels(seed, 24, 20).IntegerData, 8, 3);

        [Fact]
        public void Embedding_gradient_matches_finite_differences()
        {
            var ids = Tensor.From(new[] { 0, 2, 2, 1 }, 2, 2);
            var table = Data.Floats(1, 3, 4);
            table.RequiresGrad = true;
            var labels = Data.Labels(2, 2, 2);
            Func<Tensor> forward = () => Ops.SoftmaxCrossEntropy(Ops.Mean(Ops.Embedding(ids, table)), labels);
            Func<float> loss = () => forward().Item();
            forward().Backward();
            var grad = table.Grad!.ToArray();
            var data = table.Host;
            for (int i = 0; i < data.Length; i++)
            {
                float saved = data[i];
                data[i] = saved + 1e-2f; double up = loss();
                data[i] = saved - 1e-2f; double down = loss();
                data[i] = saved;
                Assert.True(Math.Abs((up - down) / 2e-2 - grad[i]) <= 2e-3, $"element {i}: numeric {(up - down) / 2e-2}, autograd {grad[i]}");
            }
        }

        [Fact]
        public void Vocabulary_parallel_plan_gradients_equal_eager_ones()
        {
            var x = Tokens(5);
            var y = Data.Labels(6, 8, 5);
            Bag eager = new(seed: 2), planned = new(seed: 2);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y), planned.Parameters, sgd =>
            {
                using var t = planned.Trainer(sgd);
                Assert.Equal(4, t.Plan.Devices);
                t.Step(x, y);
            });
        }

        [Fact]
        public void Four_devices_train_like_one_and_bad_ids_are_refused()
        {
            using var one = new Bag(seed: 3).Trainer(new Sgd(0.5f), "cpu:0");
            using var four = new Bag(seed: 3).Trainer(new Sgd(0.5f));
            Agreement.SameLosses(10, s =>
            {
                var (x, y) = (Tokens(10 + s), Data.Labels(20 + s, 8, 5));
                return (one.Step(x, y), four.Step(x, y));
            });
            var bad = Tensor.From(Enumerable.Repeat(20, 24).ToArray(), 8, 3);
            var e = Assert.Throws<ArgumentException>(() => four.Step(bad, Data.Labels(1, 8, 5)));
            Assert.Contains("tokens[0] is 20, but it must lie in [0, 20)", e.Message);
        }
    }
}
