using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Infer takes any number of rows on any placement and gives the eager Forward's output.</summary>
    public class InferenceTests
    {
        private static void Close(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale, $"element {i}: eager {expected[i]}, plan {actual[i]}");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(100)]
        public void Any_batch_on_four_devices_gives_the_eager_output(int rows)
        {
            var model = new Mlp(seed: 3);
            var x = Data.Floats(rows, rows, 784);
            Close(model.Forward(x).ToArray(), model.Infer(x).ToArray());
            Assert.Equal(new[] { rows, 10 }, model.Infer(x).Shape);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(100)]
        public void Two_inputs_at_any_batch(int rows)
        {
            var model = new Regression(seed: 4);
            var (x, z) = (Data.Floats(rows, rows, 8), Data.Floats(rows + 1, rows, 4));
            Close(model.Forward(x, z).ToArray(), model.Infer(x, z).ToArray());
        }

        [Fact]
        public void Inputs_with_different_rows_are_refused()
        {
            var e = Assert.Throws<ArgumentException>(() => new Regression(seed: 4).Infer(Data.Floats(1, 3, 8), Data.Floats(2, 5, 4)));
            Assert.Equal("Infer: every input needs the same number of rows (the batch), but they are [3,8] and [5,4].", e.Message);
        }

        [Fact]
        public void Training_after_inference_at_another_batch_is_seen_by_the_next_inference()
        {
            var model = new Mlp(seed: 3);
            var x = Data.Floats(9, 5, 784);
            var before = model.Infer(x).ToArray();
            using (var trainer = model.Trainer(new Sgd(0.5f))) trainer.Step(Data.Floats(1, 64, 784), Data.Labels(2, 64, 10));
            var after = model.Infer(x).ToArray();
            Assert.NotEqual(before, after);
            Close(model.Forward(x).ToArray(), after);
        }
    }
}
