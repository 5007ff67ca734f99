using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>What a PyTorch user tries first with a tensor: printing it, making one, reading and writing elements.</summary>
    public class TensorTests
    {
        [Fact]
        public void A_tensor_prints_its_shape_and_values()
        {
            Assert.Equal("Tensor[2,3] [[1, 2.5, -3],\n             [0.125, 0, 1000]]", Tensor.From(new[] { 1f, 2.5f, -3f, 0.125f, 0f, 1000f }, 2, 3).ToString());
            Assert.Equal("Tensor[3] [4, 0, 7]", Tensor.From(new[] { 4, 0, 7 }, 3).ToString());
            Assert.Equal("Tensor[] 2", Tensor.Full(2f).ToString());
        }

        [Fact]
        public void A_long_tensor_prints_its_first_and_last_values()
        {
            var text = Tensor.From(Enumerable.Range(0, 2000).Select(i => (float)i).ToArray(), 2000).ToString();
            Assert.Equal("Tensor[2000] [0, 1, 2, ..., 1997, 1998, 1999]", text);
            var rows = Tensor.Zeros(100, 20).ToString().Split('\n');
            Assert.Equal(7, rows.Length);
            Assert.Contains("...", rows[3]);
        }

        [Fact]
        public void Constructors_give_the_values_asked_for()
        {
            Assert.All(Tensor.Ones(2, 3).ToArray(), v => Assert.Equal(1f, v));
            Assert.All(Tensor.Full(-0.5f, 4).ToArray(), v => Assert.Equal(-0.5f, v));
            var normal = Tensor.Randn(3, 100, 100).ToArray();
            double mean = normal.Average(v => (double)v), variance = normal.Average(v => (v - mean) * (v - mean));
            Assert.InRange(mean, -0.03, 0.03);
            Assert.InRange(variance, 0.95, 1.05);
            Assert.Equal(normal, Tensor.Randn(3, 100, 100).ToArray());
        }

        [Fact]
        public void Elements_read_and_write_by_index()
        {
            var t = Tensor.Zeros(2, 3);
            t[1, 2] = 5f;
            Assert.Equal(5f, t[1, 2]);
            Assert.Equal(5f, t.ToArray()[5]);
            Assert.Throws<IndexOutOfRangeException>(() => t[2, 0]);
            Assert.Throws<IndexOutOfRangeException>(() => t[0]);
        }

        /// <summary>Values set on the host reach a trainer's devices before its next step.</summary>
        [Fact]
        public void Copying_values_into_a_weight_changes_what_the_trainer_computes()
        {
            var model = new Mlp(seed: 1);
            using var trainer = model.Trainer(new Sgd(1e-6f));
            var x = Data.Floats(1, 64, 784);
            var y = Data.Labels(2, 64, 10);
            trainer.Step(x, y);
            var (_, b2) = model.NamedParameters.Single(p => p.Name == "b2");
            b2.CopyFrom(Enumerable.Range(0, 10).Select(i => i == 3 ? 100f : 0f).ToArray());
            Assert.Equal(100f, b2[3]);
            var biased = Tensor.From(Enumerable.Repeat(3, 64).ToArray(), 64);
            Assert.True(trainer.Step(x, biased) < 1e-3, "every row predicts class 3 now");
            Assert.Throws<ArgumentException>(() => b2.CopyFrom(new float[9]));
        }
    }
}
