using System;
using System.Linq;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>GELU and its derivative, computed in one pass as x·σ(2u), against the tanh formula in double precision:
    /// over the range activations take, far into both saturations, and at lengths that leave a scalar tail after the
    /// vectors.</summary>
    public class GeluTests
    {
        private const double Scale = 0.7978845608028654, Cubic = 0.044715;

        private static double Tanh(double x) => Math.Tanh(Scale * (x + Cubic * x * x * x));
        private static double Gelu(double x) => 0.5 * x * (1 + Tanh(x));
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
            Elementwise.Gelu(x, y);
            Elementwise.GeluGrad(dy, x, dx);
            for (int i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(y[i] - Gelu(x[i])) <= 2e-6 * Math.Max(1, Math.Abs(x[i])), $"gelu({x[i]}) = {y[i]}, not {Gelu(x[i])}");
                Assert.True(Math.Abs(dx[i] - dy[i] * Slope(x[i])) <= 2e-6, $"gelu'({x[i]})·{dy[i]} = {dx[i]}, not {dy[i] * Slope(x[i])}");
            }
        }
    }
}
