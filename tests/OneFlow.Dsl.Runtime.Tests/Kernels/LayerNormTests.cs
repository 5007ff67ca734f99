using System;
using System.Linq;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>LayerNorm and its gradient against the formulas in double precision, on rows that leave a scalar tail
    /// after the vectors and on rows far from zero, where a variance taken as E[x²] − mean² would lose its digits; with
    /// PyTorch's ε and BERT's, and with the affine γ and β.</summary>
    public class LayerNormTests
    {
        [Theory]
        [InlineData(3, 1, 0.0, 1e-5f, false)]
        [InlineData(4, 7, 0.0, 1e-5f, true)]
        [InlineData(6, 128, 0.0, 1e-12f, false)]
        [InlineData(5, 131, 1000.0, 1e-5f, true)]
        public void LayerNorm_and_its_gradient_match_double_precision(int rows, int cols, double offset, float eps, bool affine)
        {
            var random = new Random(cols);
            var x = Enumerable.Range(0, rows * cols).Select(_ => (float)(offset + random.NextDouble() * 4 - 2)).ToArray();
            var dy = Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var (y, dx) = (new float[x.Length], new float[x.Length]);
            var gamma = affine ? Enumerable.Range(0, cols).Select(_ => (float)(random.NextDouble() + 0.5)).ToArray() : new float[0];
            var beta = affine ? Enumerable.Range(0, cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray() : new float[0];
            LayerNorm.Forward(x, cols, eps, gamma, beta, y);
            LayerNorm.Backward(dy, x, cols, eps, dx);
            for (int r = 0; r < rows; r++)
            {
                var row = x.Skip(r * cols).Take(cols).Select(v => (double)v).ToArray();
                var d = dy.Skip(r * cols).Take(cols).Select(v => (double)v).ToArray();
                double mean = row.Average(), inv = 1 / Math.Sqrt(row.Select(v => (v - mean) * (v - mean)).Average() + eps);
                var yr = row.Select(v => (v - mean) * inv).ToArray();
                double meanDy = d.Average(), meanDyY = d.Zip(yr, (a, b) => a * b).Average();
                for (int c = 0; c < cols; c++)
                {
                    int i = r * cols + c;
                    double expectedY = affine ? yr[c] * gamma[c] + beta[c] : yr[c];
                    Assert.True(Math.Abs(y[i] - expectedY) <= 2e-4, $"y[{r},{c}] = {y[i]}, not {expectedY}");
                    double expected = (d[c] - meanDy - yr[c] * meanDyY) * inv;
                    Assert.True(Math.Abs(dx[i] - expected) <= 2e-4 * Math.Max(1, inv), $"dx[{r},{c}] = {dx[i]}, not {expected}");
                }
            }
        }
    }
}
