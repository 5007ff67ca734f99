using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Twenty SGD steps from the same seed give the same losses on one device, on four devices data
    /// parallel, on four devices column-then-row model parallel, and eagerly.</summary>
    public class EquivalenceTests
    {
        private const int Steps = 20;
        private const float Lr = 0.1f;

        private static IEnumerable<(Tensor X, Tensor Y)> Batches()
        {
            for (int s = 0; s < Steps; s++) yield return (Data.Floats(100 + s, 64, 784), Data.Labels(200 + s, 64, 10));
        }

        private static float[] Train(Func<Tensor, Tensor, float> step) => Batches().Select(b => step(b.X, b.Y)).ToArray();

        private static float[] OneDevice()
        {
            using var t = new Mlp(seed: 7).Trainer(new Sgd(Lr), "cpu:0");
            Assert.Equal(1, t.Plan.Devices);
            return Train(t.Step);
        }

        [Fact]
        public void Data_parallel_matches_one_device()
        {
            using var t = new MlpDataParallel(seed: 7).Trainer(new Sgd(Lr));
            Assert.Equal(4, t.Plan.Devices);
            AssertClose(OneDevice(), Train(t.Step));
        }

        [Fact]
        public void Column_then_row_model_parallel_matches_one_device()
        {
            using var t = new Mlp(seed: 7).Trainer(new Sgd(Lr));
            Assert.Equal(4, t.Plan.Devices);
            AssertClose(OneDevice(), Train(t.Step));
        }

        [Fact]
        public void Eager_matches_one_device()
        {
            var model = new Mlp(seed: 7);
            var sgd = new Sgd(Lr);
            var eager = Train((x, y) =>
            {
                var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), y);
                loss.Backward();
                sgd.Step(model.Parameters);
                return loss.Item();
            });
            AssertClose(OneDevice(), eager);
        }

        /// <summary>A 2×2 mesh (data parallel × model parallel) trains with the same losses as one device.</summary>
        [Fact]
        public void Two_by_two_mesh_matches_one_device()
        {
            using var mesh = new MeshMlp(seed: 9).Trainer(new Sgd(Lr));
            using var one = new MeshMlp(seed: 9).Trainer(new Sgd(Lr), "cpu:0");
            Assert.Equal(4, mesh.Plan.Devices);
            Assert.Equal(2, mesh.Plan.Placement.MeshRank);
            Agreement.SameLosses(Steps, s =>
            {
                var (x, y) = (Data.Floats(300 + s, 8, 12), Data.Labels(400 + s, 8, 5));
                return (one.Step(x, y), mesh.Step(x, y));
            });
        }

        [Fact]
        public void Loss_falls()
        {
            using var t = new Mlp(seed: 7).Trainer(new Sgd(Lr));
            var (x, y) = Batches().First();
            float first = t.Step(x, y);
            float last = first;
            for (int i = 0; i < 30; i++) last = t.Step(x, y);
            Assert.True(last < first * 0.2f, $"loss went from {first} to {last}");
        }

        private static void AssertClose(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])),
                    $"step {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
