using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Max and average pooling over each H×W plane of [N, C, H, W], and their gradients. A max pool is the
    /// position of each window's maximum, then a gather of the values there; its gradient scatters dy back.</summary>
    internal static class Pooling
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.MaxPoolArgmax, Argmax);
            CpuKernels.Add(OpKind.PlaneGather, k => Gather(k.In(0), k.InShape(0)[2] * k.InShape(0)[3], k.Ints(1), k.OutShape[2] * k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.PlaneScatter, k => Scatter(k.In(0), k.Ints(1), k.InShape(0)[2] * k.InShape(0)[3], k.OutShape[2] * k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AvgPool2d, k => Average(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.Out));
            CpuKernels.Add(OpKind.AvgPool2dGrad, k => AverageGrad(k.In(0), k.InShape(0)[2], k.InShape(0)[3], PoolWindow.Of(k.Op), k.OutShape[2], k.OutShape[3], k.Out));
        }

        /// <summary>Per window, h·W + w of its first maximum (a NaN counts as the maximum, as in PyTorch), the planes
        /// split over the kernel threads.</summary>
        private static void Argmax(CpuKernelContext k)
            => ParallelRanges.Run(k, static (k, first, last) =>
            {
                int h = k.InShape(0)[2], w = k.InShape(0)[3], oh = k.OutShape[2], ow = k.OutShape[3];
                Argmax(k.In(0)[(first * h * w)..(last * h * w)], h, w, PoolWindow.Of(k.Op), oh, ow, k.OutInts[(first * oh * ow)..(last * oh * ow)]);
            }, (int)(k.InShape(0).Elements / (k.InShape(0)[2] * k.InShape(0)[3])), k.InShape(0).Elements);

        public static void Argmax(ReadOnlySpan<float> x, int h, int w, PoolWindow p, int oh, int ow, Span<int> positions)
        {
            int planes = x.Length / (h * w);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                if (p.Kernel == 2 && p.Stride == 2 && p.Padding == 0 && 2 * oh <= h && 2 * ow <= w && Sse.IsSupported && ow >= 4)
                {
                    Argmax2x2(xs, w, oh, ow, positions.Slice(o, oh * ow));
                    o += oh * ow;
                    continue;
                }
                for (int i = 0; i < oh; i++)
                {
                    var (top, bottom, _) = p.Span(i, h);
                    for (int j = 0; j < ow; j++, o++)
                    {
                        var (left, right, _) = p.Span(j, w);
                        int best = top * w + left;
                        float max = xs[best];
                        for (int r = top; r < bottom; r++)
                            for (int c = left; c < right; c++) Consider(xs[r * w + c], r * w + c, ref max, ref best);
                        positions[o] = best;
                    }
                }
            }
        }

        /// <summary>The 2×2, stride 2 pool every CNN uses, on rows of at least four windows: four at a time in 128-bit
        /// vectors (the last four of a row overlapping the ones before where the row is not a multiple of four), each window's pixels taken in the
        /// general loop's order so that it finds the same first maximum. Vector selects, because the JIT compiles a
        /// float ?: to a branch, and on real activations that branch mispredicts at every other window.</summary>
        private static void Argmax2x2(ReadOnlySpan<float> plane, int w, int oh, int ow, Span<int> positions)
        {
            if (plane.Length < (2 * oh - 1) * w + 2 * ow || positions.Length < oh * ow) throw new ArgumentException("The plane is smaller than its windows.");
            ref float x = ref MemoryMarshal.GetReference(plane);
            ref int p = ref MemoryMarshal.GetReference(positions);
            var columns = Vector128.Create(0, 2, 4, 6);
            for (int i = 0; i < oh; i++)
            {
                int row = 2 * i * w;
                for (int j = 0; ; j += 4)
                {
                    j = Math.Min(j, ow - 4);
                    int at = row + 2 * j;
                    var top = Pairs(ref Unsafe.Add(ref x, at));
                    var bottom = Pairs(ref Unsafe.Add(ref x, at + w));
                    var index = Vector128.Create(at) + columns;
                    var (max, best) = (top.Even, index);
                    Consider(top.Odd, index + Vector128.Create(1), ref max, ref best);
                    Consider(bottom.Even, index + Vector128.Create(w), ref max, ref best);
                    Consider(bottom.Odd, index + Vector128.Create(w + 1), ref max, ref best);
                    best.StoreUnsafe(ref p, (nuint)(i * ow + j));
                    if (j == ow - 4) break;
                }
            }
        }

        /// <summary>Eight floats as the first and second pixels of four horizontal pairs.</summary>
        private static (Vector128<float> Even, Vector128<float> Odd) Pairs(ref float at)
        {
            var low = Vector128.LoadUnsafe(ref at);
            var high = Vector128.LoadUnsafe(ref at, 4);
            return (Sse.Shuffle(low, high, 0b10_00_10_00), Sse.Shuffle(low, high, 0b11_01_11_01));
        }

        /// <summary>Four windows at once: each takes <paramref name="v"/> where it beats its maximum so far.</summary>
        private static void Consider(Vector128<float> v, Vector128<int> at, ref Vector128<float> max, ref Vector128<int> best)
        {
            var take = Vector128.GreaterThan(v, max) | (~Vector128.Equals(v, v) & Vector128.Equals(max, max));
            max = Vector128.ConditionalSelect(take, v, max);
            best = Vector128.ConditionalSelect(take.AsInt32(), at, best);
        }

        /// <summary>Takes <paramref name="v"/>, at <paramref name="at"/>, if it beats the window's maximum so far.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Consider(float v, int at, ref float max, ref int best)
        {
            bool take = v > max | (float.IsNaN(v) & !float.IsNaN(max));
            max = take ? v : max;
            best = take ? at : best;
        }

        /// <summary>y[plane, i] = x[plane, positions[plane, i]].</summary>
        public static void Gather(ReadOnlySpan<float> x, int pixels, ReadOnlySpan<int> positions, int outPixels, Span<float> y)
        {
            for (int plane = 0, o = 0; o < y.Length; plane++)
            {
                var xs = x.Slice(plane * pixels, pixels);
                for (int end = o + outPixels; o < end; o++) y[o] = xs[positions[o]];
            }
        }

        /// <summary>dx = 0, then dx[plane, positions[plane, i]] += dy[plane, i].</summary>
        public static void Scatter(ReadOnlySpan<float> dy, ReadOnlySpan<int> positions, int outPixels, int pixels, Span<float> dx)
        {
            dx.Clear();
            for (int plane = 0, o = 0; o < dy.Length; plane++)
            {
                var ds = dx.Slice(plane * pixels, pixels);
                for (int end = o + outPixels; o < end; o++) ds[positions[o]] += dy[o];
            }
        }

        /// <summary>Each window's sum of the pixels it covers over its divisor (<see cref="PoolWindow.Divisor"/>).</summary>
        public static void Average(ReadOnlySpan<float> x, int h, int w, PoolWindow p, int oh, int ow, Span<float> y)
        {
            int planes = x.Length / (h * w);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var xs = x.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var (top, bottom, _) = p.Span(i, h);
                    for (int j = 0; j < ow; j++, o++)
                    {
                        var (left, right, _) = p.Span(j, w);
                        float sum = 0;
                        for (int r = top; r < bottom; r++)
                            for (int c = left; c < right; c++) sum += xs[r * w + c];
                        y[o] = sum / p.Divisor(i, j, h, w);
                    }
                }
            }
        }

        /// <summary>dx = 0, then each dy over its window's divisor added to every pixel the window covers.</summary>
        public static void AverageGrad(ReadOnlySpan<float> dy, int oh, int ow, PoolWindow p, int h, int w, Span<float> dx)
        {
            dx.Clear();
            int planes = dx.Length / (h * w);
            for (int plane = 0, o = 0; plane < planes; plane++)
            {
                var ds = dx.Slice(plane * h * w, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var (top, bottom, _) = p.Span(i, h);
                    for (int j = 0; j < ow; j++, o++)
                    {
                        var (left, right, _) = p.Span(j, w);
                        float share = dy[o] / p.Divisor(i, j, h, w);
                        for (int r = top; r < bottom; r++)
                            for (int c = left; c < right; c++) ds[r * w + c] += share;
                    }
                }
            }
        }
    }
}
