using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The convolution kernels (unfolded a tile of output rows at a time, the same-size case as shifted planes
    /// or, with AVX-512, not unfolded at all) against the definition, summed pixel by pixel: the output, dx and dw of
    /// Σ y·r for a fixed random r. The shapes are large enough to be unfolded in several tiles.</summary>
    public class ConvolutionTests
    {
        [Theory]
        [InlineData(2, 16, 20, 64, 6, 3, 1, 1, 1)]   // same size: shifted planes, three tiles
        [InlineData(2, 32, 21, 64, 6, 3, 2, 1, 1)]   // strided: row by row, two tiles
        [InlineData(1, 32, 12, 70, 8, 5, 1, 0, 2)]   // no padding, two groups, an uneven last tile
        [InlineData(3, 4, 9, 9, 5, 1, 1, 0, 1)]      // pointwise: x read as it lies
        [InlineData(2, 16, 8, 32, 8, 3, 1, 1, 1)]    // without unfolding (AVX-512): 32-pixel rows
        [InlineData(3, 8, 6, 16, 16, 3, 1, 1, 1)]    // without unfolding: 16-pixel rows, two to a tile
        [InlineData(2, 16, 4, 16, 16, 3, 1, 1, 2)]   // without unfolding, two groups
        [InlineData(1, 8, 5, 32, 8, 5, 1, 2, 1)]     // without unfolding, a 5×5 kernel
        [InlineData(5, 8, 6, 16, 32, 3, 1, 1, 1)]    // dw without unfolding: 32 outputs, five samples in four slices
        [InlineData(2, 16, 4, 16, 64, 3, 1, 1, 2)]   // dw without unfolding, two groups
        [InlineData(2, 16, 20, 64, 6, 3, 1, 2, 1, 2)] // dilated, same size: shifted planes by twice the tap
        [InlineData(2, 8, 21, 40, 6, 3, 2, 1, 2, 3)]  // dilated and strided, two groups: row by row
        public void Tiled_kernels_equal_the_definition(int n, int c, int h, int w, int o, int k, int stride, int padding, int groups, int dilation = 1)
        {
            var x = Data.Floats(1, n, c, h, w);
            var weight = Data.Floats(2, o, c / groups, k, k);
            x.RequiresGrad = weight.RequiresGrad = true;
            var y = Ops.Conv2d(x, weight, stride: stride, padding: padding, dilation: dilation, groups: groups);
            var r = Data.Floats(3, y.Shape.ToArray());
            Ops.Sum(Ops.Reshape(y * r, -1)).Backward();

            int span = dilation * (k - 1) + 1, oh = (h + 2 * padding - span) / stride + 1, ow = (w + 2 * padding - span) / stride + 1, cg = c / groups, og = o / groups;
            float[] xs = x.ToArray(), ws = weight.ToArray(), rs = r.ToArray();
            var expected = new double[n * o * oh * ow];
            var dx = new double[xs.Length];
            var dw = new double[ws.Length];
            for (int s = 0; s < n; s++)
                for (int out_ = 0; out_ < o; out_++)
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++)
                        {
                            int at = ((s * o + out_) * oh + i) * ow + j;
                            for (int ci = 0; ci < cg; ci++)
                                for (int a = 0; a < k; a++)
                                    for (int b = 0; b < k; b++)
                                    {
                                        int ih = i * stride - padding + a * dilation, iw = j * stride - padding + b * dilation;
                                        if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                        int xi = ((s * c + out_ / og * cg + ci) * h + ih) * w + iw, wi = ((out_ * cg + ci) * k + a) * k + b;
                                        expected[at] += xs[xi] * ws[wi];
                                        dx[xi] += rs[at] * ws[wi];
                                        dw[wi] += rs[at] * xs[xi];
                                    }
                        }
            Close("y", expected, y.ToArray());
            Close("dx", dx, x.Grad!.ToArray());
            Close("dw", dw, weight.Grad!.ToArray());
        }

        private static void Close(string what, double[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            double scale = Math.Max(1, expected.Max(Math.Abs));
            for (int i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale, $"{what}[{i}]: {actual[i]}, expected {expected[i]}");
        }
    }
}
