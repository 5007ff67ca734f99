using System;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Kernels that work on each row of length <c>cols</c> (the last axis) independently.</summary>
    internal static class RowKernels
    {
        public const float LayerNormEpsilon = 1e-5f;

        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Softmax, k => Softmax(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.CausalSoftmax, k => CausalSoftmax(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.SoftmaxGrad, k => SoftmaxGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.LogSoftmax, k => LogSoftmax(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.LogSoftmaxGrad, k => LogSoftmaxGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.MaxLast, k => MaxLast(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.MaxLastGrad, k => MaxLastGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.LayerNorm, k => LayerNorm(k.In(0), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.LayerNormGrad, k => LayerNormGrad(k.In(0), k.In(1), k.LastOf(1), k.Out));
        }

        public static void Softmax(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++) TensorPrimitives.SoftMax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
        }

        /// <summary>Softmax of blocks of <paramref name="cols"/> × <paramref name="cols"/> scores, row i over its
        /// first i + 1 entries (the rest 0): causal attention's mask.</summary>
        public static void CausalSoftmax(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                int keep = r % cols + 1;
                TensorPrimitives.SoftMax(x.Slice(r * cols, keep), y.Slice(r * cols, keep));
                y.Slice(r * cols + keep, cols - keep).Clear();
            }
        }

        /// <summary>dx = y ⊙ (dy − Σ dy ⊙ y).</summary>
        public static void SoftmaxGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int cols, Span<float> dx)
        {
            for (int r = 0; r < dy.Length / cols; r++)
            {
                var d = dy.Slice(r * cols, cols);
                var s = y.Slice(r * cols, cols);
                var o = dx.Slice(r * cols, cols);
                float dot = TensorPrimitives.Dot(d, s);
                TensorPrimitives.Subtract(d, dot, o);
                TensorPrimitives.Multiply(o, s, o);
            }
        }

        /// <summary>y = x − max − log Σ exp(x − max).</summary>
        public static void LogSoftmax(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                var row = x.Slice(r * cols, cols);
                var o = y.Slice(r * cols, cols);
                float max = TensorPrimitives.Max(row);
                double z = 0;
                for (int c = 0; c < cols; c++) z += Math.Exp(row[c] - max);
                TensorPrimitives.Subtract(row, max + (float)Math.Log(z), o);
            }
        }

        /// <summary>dx = dy − exp(y) · Σ dy.</summary>
        public static void LogSoftmaxGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int cols, Span<float> dx)
        {
            for (int r = 0; r < dy.Length / cols; r++)
            {
                var d = dy.Slice(r * cols, cols);
                var o = dx.Slice(r * cols, cols);
                float sum = TensorPrimitives.Sum(d);
                TensorPrimitives.Exp(y.Slice(r * cols, cols), o);
                TensorPrimitives.Multiply(o, -sum, o);
                TensorPrimitives.Add(o, d, o);
            }
        }

        /// <summary>Each row's maximum.</summary>
        public static void MaxLast(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < y.Length; r++) y[r] = TensorPrimitives.Max(x.Slice(r * cols, cols));
        }

        /// <summary>dx = dy at each row's first maximum, zero elsewhere.</summary>
        public static void MaxLastGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int cols, Span<float> dx)
        {
            dx.Clear();
            for (int r = 0; r < dy.Length; r++) dx[r * cols + TensorPrimitives.IndexOfMax(x.Slice(r * cols, cols))] = dy[r];
        }

        public static void LayerNorm(ReadOnlySpan<float> x, int cols, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                var row = x.Slice(r * cols, cols);
                var (mean, inv) = Moments(row);
                Normalise(row, mean, inv, y.Slice(r * cols, cols));
            }
        }

        /// <summary>dx = (dy − mean(dy) − y · mean(dy ⊙ y)) / σ, with y recomputed from x into dx first.</summary>
        public static void LayerNormGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int cols, Span<float> dx)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                var row = x.Slice(r * cols, cols);
                var d = dy.Slice(r * cols, cols);
                var o = dx.Slice(r * cols, cols);
                var (mean, inv) = Moments(row);
                Normalise(row, mean, inv, o);
                float meanDy = TensorPrimitives.Sum(d) / cols, meanDyY = TensorPrimitives.Dot(d, o) / cols;
                int c = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; c + Vector256<float>.Count <= cols; c += Vector256<float>.Count)
                        ((Vector256.Create(d.Slice(c)) - Vector256.Create(meanDy) - Vector256.Create(o.Slice(c)) * Vector256.Create(meanDyY))
                            * Vector256.Create(inv)).CopyTo(o.Slice(c));
                for (; c < cols; c++) o[c] = (d[c] - meanDy - o[c] * meanDyY) * inv;
            }
        }

        /// <summary>y = (x − mean) · inv in one pass.</summary>
        private static void Normalise(ReadOnlySpan<float> row, SplitMean mean, float inv, Span<float> y)
        {
            int c = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; c + Vector256<float>.Count <= row.Length; c += Vector256<float>.Count)
                    ((Vector256.Create(row.Slice(c)) - Vector256.Create(mean.High) - Vector256.Create(mean.Low)) * Vector256.Create(inv)).CopyTo(y.Slice(c));
            for (; c < row.Length; c++) y[c] = (row[c] - mean.High - mean.Low) * inv;
        }

        /// <summary>The row's mean and 1/√(variance + ε), the variance from squared deviations from the mean (two
        /// passes: E[x²] − mean² would cancel away the digits of a row far from zero), summed in vectors with the
        /// totals in double. The mean is summed as deviations from the row's first element, which float lanes hold
        /// exactly where plain values far from zero would round (a row at 1000 lost 1e-5 of its mean).</summary>
        private static (SplitMean Mean, float InverseDeviation) Moments(ReadOnlySpan<float> row)
        {
            double mean = row[0] + Sum(row, row[0]) / row.Length;
            double squares = Sum(row, (float)mean, squared: true);
            return (new SplitMean(mean), (float)(1 / Math.Sqrt(squares / row.Length + LayerNormEpsilon)));
        }

        /// <summary>A mean as two floats, <see cref="High"/> + <see cref="Low"/>: x − High is exact for x near it, so
        /// (x − High) − Low keeps the digits a float mean would round away in a row far from zero (a row at 1000 would
        /// lose 3e-5 to the rounding).</summary>
        private readonly struct SplitMean
        {
            public readonly float High, Low;

            public SplitMean(double mean)
            {
                High = (float)mean;
                Low = (float)(mean - High);
            }
        }

        /// <summary>Σ (x − shift), or Σ (x − shift)², in eight float lanes whose totals are added in double.</summary>
        private static double Sum(ReadOnlySpan<float> row, float shift, bool squared = false)
        {
            double total = 0;
            int c = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var lanes = Vector256<float>.Zero;
                var by = Vector256.Create(shift);
                for (; c + Vector256<float>.Count <= row.Length; c += Vector256<float>.Count)
                {
                    var v = Vector256.Create(row.Slice(c)) - by;
                    lanes += squared ? v * v : v;
                }
                for (int l = 0; l < Vector256<float>.Count; l++) total += lanes[l];
            }
            for (; c < row.Length; c++)
            {
                double v = row[c] - shift;
                total += squared ? v * v : v;
            }
            return total;
        }
    }
}
