using System;
using System.Linq;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>The AdamW kernel, vectorised, against AdamW written out one element at a time: the same operations in
    /// the same order, so the same bits, over steps, with weight decay and a clipping scale.</summary>
    public class AdamUpdateTests
    {
        [Theory]
        [InlineData(1, 0f, 1f)]
        [InlineData(8, 0.01f, 1f)]
        [InlineData(1003, 0.01f, 0.37f)]
        public void Vectorised_AdamW_gives_the_bits_of_the_element_by_element_rule(int length, float decay, float gradScale)
        {
            var random = new Random(length);
            float[] Values(float scale) => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
            var w = Values(1f);
            var (m, v) = (new float[length], new float[length]);
            var (rw, rm, rv) = ((float[])w.Clone(), new float[length], new float[length]);
            const float lr = 3e-3f, beta1 = 0.9f, beta2 = 0.95f, epsilon = 1e-8f;
            for (long step = 1; step <= 5; step++)
            {
                var g = Values(step * 0.5f);
                Update.AdamUpdate(w, g, m, v, lr, beta1, beta2, epsilon, decay, step, gradScale);
                float c1 = 1 - MathF.Pow(beta1, step), c2 = 1 - MathF.Pow(beta2, step);
                for (int i = 0; i < length; i++)
                {
                    float gi = g[i] * gradScale;
                    rm[i] = beta1 * rm[i] + (1 - beta1) * gi;
                    rv[i] = beta2 * rv[i] + (1 - beta2) * gi * gi;
                    rw[i] -= lr * (rm[i] / c1 / (MathF.Sqrt(rv[i] / c2) + epsilon) + decay * rw[i]);
                }
                Assert.Equal(rm, m);
                Assert.Equal(rv, v);
                Assert.Equal(rw, w);
            }
        }
    }
}
