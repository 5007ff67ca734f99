using System;
using System.Linq;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>The max pool's argmax against a reference that scans each window in row order for its first maximum, a
    /// NaN winning as in PyTorch: on values with many ties, for the vectorised 2×2 window (rows of four windows, of
    /// seven, where the last four overlap; rows of two go the general way) and for general ones, on planes whose last row
    /// or column no window reaches.</summary>
    public class MaxPoolTests
    {
        [Theory]
        [InlineData(6, 7, 2, 2)]
        [InlineData(6, 14, 2, 2)]
        [InlineData(5, 17, 2, 2)]
        [InlineData(4, 8, 2, 2)]
        [InlineData(5, 5, 2, 2)]
        [InlineData(7, 6, 3, 2)]
        [InlineData(4, 5, 2, 1)]
        public void Argmax_finds_each_windows_first_maximum(int h, int w, int kernel, int stride)
        {
            var window = new PoolWindow(kernel, stride);
            int planes = 6, oh = window.Out(h), ow = window.Out(w);
            var random = new Random(h * 31 + w);
            var x = Enumerable.Range(0, planes * h * w).Select(_ => (float)random.Next(4)).ToArray();
            x[1] = float.NaN;
            x[h * w + w + 1] = float.NaN;
            x[2 * h * w + 2 * w + 3] = float.NaN;
            x[2 * h * w + 2 * w + 2] = float.NaN;
            var positions = new int[planes * oh * ow];
            Pooling.Argmax(x, h, w, window, oh, ow, positions);
            for (int plane = 0, o = 0; plane < planes; plane++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int best = -1;
                        for (int a = 0; a < kernel; a++)
                            for (int b = 0; b < kernel; b++)
                            {
                                int at = (i * stride + a) * w + j * stride + b;
                                float v = x[plane * h * w + at];
                                if (best < 0 || (!float.IsNaN(x[plane * h * w + best]) && (float.IsNaN(v) || v > x[plane * h * w + best]))) best = at;
                            }
                        Assert.True(best == positions[o], $"plane {plane} window ({i},{j}): position {positions[o]}, not {best}");
                    }
        }
    }
}
