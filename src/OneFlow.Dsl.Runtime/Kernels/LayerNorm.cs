using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Layer norm over each row of the last axis (<c>LayerNormOp.cs</c>), with its ε and, where given, its
    /// affine γ and β; and its gradient, which recomputes the normalised row instead of keeping it.</summary>
    internal static class LayerNorm
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.LayerNorm, k => Forward(k.In(0), k.LastOf(0), LayerNormOp.Eps(k.Op),
                k.Op.Inputs.Length == 3 ? k.In(1) : default, k.Op.Inputs.Length == 3 ? k.In(2) : default, k.Out));
            CpuKernels.Add(OpKind.LayerNormGrad, k => Backward(k.In(0), k.In(1), k.LastOf(1), LayerNormOp.Eps(k.Op), k.Out));
        }

        /// <summary>Each row normalised, then scaled by γ and shifted by β where they are given (empty spans: none).</summary>
        public static void Forward(ReadOnlySpan<float> x, int cols, float eps, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                var row = x.Slice(r * cols, cols);
                var output = y.Slice(r * cols, cols);
                var (mean, inv) = Moments(row, eps);
                Normalise(row, mean, inv, output);
                if (gamma.IsEmpty) continue;
                TensorPrimitives.Multiply(output, gamma, output);
                TensorPrimitives.Add(output, beta, output);
            }
        }

        /// <summary>dx = (dy − mean(dy) − y · mean(dy ⊙ y)) / σ, with y recomputed from x into dx first.</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int cols, float eps, Span<float> dx)
        {
            for (int r = 0; r < x.Length / cols; r++)
            {
                var row = x.Slice(r * cols, cols);
                var d = dy.Slice(r * cols, cols);
                var o = dx.Slice(r * cols, cols);
                var (mean, inv) = Moments(row, eps);
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
        private static (SplitMean Mean, float InverseDeviation) Moments(ReadOnlySpan<float> row, float eps)
        {
            double mean = row[0] + Sum(row, row[0]) / row.Length;
            double squares = Sum(row, (float)mean, squared: true);
            return (new SplitMean(mean), (float)(1 / Math.Sqrt(squares / row.Length + eps)));
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
