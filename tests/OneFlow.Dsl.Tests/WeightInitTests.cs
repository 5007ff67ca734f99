using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Each Init draws what torch.nn.init's function of that name draws (its bounds, mean and standard
    /// deviation over 131 072 values, fan_in and fan_out counted as PyTorch counts them), the same for the same seed
    /// and name; weights given to Linear start as nn.Linear's.</summary>
    public class WeightInitTests
    {
        private static float[] Draw(Init init, double scale, params int[] shape) => WeightInit.Create(7, "w", init, scale, shape).ToArray();

        private static (double Mean, double Std, double Max) Moments(float[] v)
        {
            double mean = v.Average(x => (double)x);
            return (mean, Math.Sqrt(v.Average(x => (x - mean) * (x - mean))), v.Max(x => Math.Abs((double)x)));
        }

        [Theory]
        [InlineData(Init.KaimingUniform, 0, 1 / 16.0)]                  // fan_in = 64·2·2
        [InlineData(Init.XavierUniform, 0, 0.05103103630798288)]          // √(6 / (fan_in 64·2·2 + fan_out 512·2·2))
        [InlineData(Init.Uniform, 0.3, 0.3)]
        public void Uniform_draws_fill_their_bounds(Init init, double scale, double bound)
        {
            var v = Draw(init, scale, 512, 64, 2, 2);
            double expected = bound;
            var (mean, std, max) = Moments(v);
            Assert.True(max <= expected && max > 0.999 * expected, $"largest {max}, bound {expected}");
            Assert.True(Math.Abs(mean) < 0.01 * expected, $"mean {mean}");
            Assert.True(Math.Abs(std - expected / Math.Sqrt(3)) < 0.01 * expected, $"standard deviation {std}, expected {expected / Math.Sqrt(3)}");
        }

        [Fact]
        public void Normal_draws_have_their_standard_deviation_and_truncated_ones_stay_within_two()
        {
            var (mean, std, _) = Moments(Draw(Init.Normal, 0.02, 256, 512));
            Assert.True(Math.Abs(mean) < 2e-4 && Math.Abs(std - 0.02) < 2e-4, $"normal: mean {mean}, standard deviation {std}");
            var (tmean, tstd, tmax) = Moments(Draw(Init.TruncNormal, 0.02, 256, 512));
            // A standard normal cut at ±2 has standard deviation 0.8796.
            Assert.True(tmax <= 0.04 && Math.Abs(tmean) < 2e-4 && Math.Abs(tstd - 0.02 * 0.87962) < 2e-4, $"truncated: mean {tmean}, standard deviation {tstd}, largest {tmax}");
        }

        [Fact]
        public void Draws_depend_on_the_seed_and_name_alone_and_constants_are_constant()
        {
            Assert.Equal(Draw(Init.TruncNormal, 1, 8, 8), Draw(Init.TruncNormal, 1, 8, 8));
            Assert.NotEqual(Draw(Init.TruncNormal, 1, 8, 8), WeightInit.Create(8, "w", Init.TruncNormal, 1, 8, 8).ToArray());
            Assert.All(Draw(Init.Ones, 0, 3, 4), x => Assert.Equal(1f, x));
            Assert.All(Draw(Init.Zeros, 0, 5), x => Assert.Equal(0f, x));
            var e = Assert.Throws<ArgumentException>(() => Draw(Init.KaimingUniform, 0, 5));
            Assert.StartsWith("KaimingUniform draws from fan_in and fan_out, which weight 'w' [5] of rank 1 does not have", e.Message);
        }

        /// <summary>EncoderDecoderNet's head is Linear's [5, 12] weight and its bias: both within ±1/√12, the bias drawn
        /// rather than zero, as nn.Linear(12, 5) starts; its first convolution's bias as nn.Conv2d's.</summary>
        [Fact]
        public void Weights_given_to_linear_start_as_pytorchs_linear()
        {
            var state = new EncoderDecoderNet(seed: 1).NamedParameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
            double bound = 1 / Math.Sqrt(12);
            foreach (var name in new[] { "head", "headBias" })
            {
                var (_, std, max) = Moments(state[name]);
                Assert.True(max <= bound && std > bound / 4, $"{name}: largest {max}, standard deviation {std}, bound {bound}");
            }
            // The convolution's bias as nn.Conv2d(2, 4, 3)'s: ±1/√(2·3·3), drawn.
            var (_, biasStd, biasMax) = Moments(state["downBias"]);
            Assert.True(biasMax <= 1 / Math.Sqrt(18) && biasStd > 0, $"downBias: largest {biasMax}, standard deviation {biasStd}");
        }
    }
}
