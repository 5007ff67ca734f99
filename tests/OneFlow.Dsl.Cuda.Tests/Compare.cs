using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Random inputs and the comparison of a GPU result with the CPU kernel's.</summary>
    internal static class Compare
    {
        /// <summary><paramref name="n"/> values uniform in [−<paramref name="scale"/>, <paramref name="scale"/>).</summary>
        public static float[] Values(int n, int seed, double scale = 2)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        }

        public static void Close(float[] expected, float[] actual, double tolerance = 1e-5)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"element {i}: CPU {expected[i]}, GPU {actual[i]}");
        }
    }
}
