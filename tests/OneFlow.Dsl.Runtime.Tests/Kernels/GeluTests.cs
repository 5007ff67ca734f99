using System;
using System.Linq;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>GELU and its derivative in both forms against double-precision references: the tanh form (computed in one
    /// pass as x·σ(2u)) against its formula, the exact form against x·Φ(x) from an error function of the test's own
    /// (its Taylor series below 3, its continued fraction above); over the range activations take, far into both
    /// saturations, and at lengths that leave a scalar tail after the vectors and cross the kernels' chunks.</summary>
    public class GeluTests
    {
        private const double Scale = 0.7978845608028654, Cubic = 0.044715;

        private static double Tanh(double x) => Math.Tanh(Scale * (x + Cubic * x * x * x));
        private static double TanhGelu(double x) => 0.5 * x * (1 + Tanh(x));
        private static double Slope(double x) => 0.5 * (1 + Tanh(x)) + 0.5 * x * (1 - Tanh(x) * Tanh(x)) * Scale * (1 + 3 * Cubic * x * x);

        public static TheoryData<int> Lengths() => new TheoryData<int> { 1, 7, 8, 13, 1000, 4099 };

        [Theory]
        [MemberData(nameof(Lengths))]
        public void Gelu_and_its_gradient_match_the_tanh_formula(int length)
        {
            var x = Enumerable.Range(0, length).Select(i => length == 1 ? -0.5f : -12f + 24f * i / (length - 1)).ToArray();
            x[0] = length > 4 ? -100f : x[0];
            if (length > 4) x[^1] = 100f;
            var dy = Enumerable.Range(0, length).Select(i => 0.5f + (i % 5) * 0.25f).ToArray();
            var y = new float[length];
            var dx = new float[length];
            Gelu.Approximate(x, y);
            Gelu.ApproximateGrad(dy, x, dx);
            for (int i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(y[i] - TanhGelu(x[i])) <= 2e-6 * Math.Max(1, Math.Abs(x[i])), $"gelu({x[i]}) = {y[i]}, not {TanhGelu(x[i])}");
                Assert.True(Math.Abs(dx[i] - dy[i] * Slope(x[i])) <= 2e-6, $"gelu'({x[i]})·{dy[i]} = {dx[i]}, not {dy[i] * Slope(x[i])}");
            }
        }

        [Theory]
        [MemberData(nameof(Lengths))]
        public void Exact_gelu_and_its_gradient_match_x_times_the_normal_cdf(int length)
        {
            var (x, dy) = Points(length);
            var (y, dx) = (new float[length], new float[length]);
            Gelu.Exact(x, y);
            Gelu.ExactGrad(dy, x, dx);
            for (int i = 0; i < length; i++)
            {
                double v = x[i], cdf = 0.5 * (1 + Erf(v / Math.Sqrt(2))), slope = cdf + v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI);
                Assert.True(Math.Abs(y[i] - v * cdf) <= 2e-6 * Math.Max(1, Math.Abs(v)), $"gelu({v}) = {y[i]}, not {v * cdf}");
                Assert.True(Math.Abs(dx[i] - dy[i] * slope) <= 2e-6, $"gelu'({v})·{dy[i]} = {dx[i]}, not {dy[i] * slope}");
            }
        }

        private static (float[] X, float[] Dy) Points(int length)
        {
            var x = Enumerable.Range(0, length).Select(i => length == 1 ? -0.5f : -12f + 24f * i / (length - 1)).ToArray();
            if (length > 4) (x[0], x[^1]) = (-100f, 100f);
            return (x, Enumerable.Range(0, length).Select(i => 0.5f + (i % 5) * 0.25f).ToArray());
        }

        /// <summary>erf in double: the Taylor series where it converges without cancellation, 1 − erfc from the continued
        /// fraction erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))) beyond.</summary>
        private static double Erf(double x)
        {
            double a = Math.Abs(x);
            if (a < 3)
            {
                double sum = 0, term = a;
                for (int n = 0; n < 60; n++)
                {
                    sum += term / (2 * n + 1);
                    term *= -a * a / (n + 1);
                }
                return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * sum;
            }
            double fraction = a;
            for (int k = 80; k >= 1; k--) fraction = a + k / 2.0 / fraction;
            return Math.Sign(x) * (1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / fraction);
        }
    }
}
