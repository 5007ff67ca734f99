using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Batch norm's parts over x [N, C, inner] (inner = H·W, or 1 for [N, C]): the per-channel statistics,
    /// the normalisation, and its gradient's reductions and dx, each one pass over the data per channel, the channels
    /// shared out among the threads. Counts are the whole tensor's, so that the sums of devices holding parts of the
    /// batch add up to the batch's statistics.</summary>
    internal static class BatchNorm
    {
        [ModuleInitializer]
        internal static void Register()
        {
            PerChannel(OpKind.ChannelMean, 0, static (k, first, last) => Mean(k.In(0), Layout(k.InShape(0)), ChannelLayout.Count(k.WholeIn(0)), k.Out, first, last));
            PerChannel(OpKind.ChannelVariance, 0, static (k, first, last) => Variance(k.In(0), k.In(1), Layout(k.InShape(0)), ChannelLayout.Count(k.WholeIn(0)), k.Out, first, last));
            CpuKernels.Add(OpKind.RunningStatsUpdate, k =>
            {
                var (momentum, count) = RunningStatsUpdateOp.Attributes(k.Op);
                UpdateRunning(k.Mutable(0), k.Mutable(1), k.In(2), k.In(3), momentum, count);
            });
            PerChannel(OpKind.BatchNorm, 0, static (k, first, last)
                => Normalize(k.In(0), k.In(1), k.In(2), k.In(3), k.In(4), BatchNormOp.Attributes(k.Op).Eps, Layout(k.InShape(0)), k.Out, first, last));
            PerChannel(OpKind.BatchNormReduce, 1, static (k, first, last)
                => GradientSums(k.In(0), k.In(1), k.In(2), k.In(3), BatchNormReduceOp.Eps(k.Op), Layout(k.InShape(1)), k.Out, first, last));
            PerChannel(OpKind.BatchNormInputGrad, 1, static (k, first, last) =>
            {
                var (eps, batch) = BatchNormOp.Attributes(k.Op);
                InputGradient(k.In(0), k.In(1), k.In(2), k.In(3), k.In(4), k.In(5), eps, batch ? ChannelLayout.Count(k.WholeIn(1)) : 0, Layout(k.InShape(1)), k.Out, first, last);
            });
        }

        /// <summary>A kernel whose channels are independent, run in ranges of channels on the pool's threads; operand
        /// <paramref name="x"/> is the one laid out [N, C, …].</summary>
        private static void PerChannel(OpKind kind, int x, Action<CpuKernelContext, int, int> body)
            => CpuKernels.Add(kind, k => ParallelRanges.Run(k, body, k.InShape(x)[ChannelLayout.Axis], k.InShape(x).Elements));

        /// <summary>x as [samples, channels, inner].</summary>
        public readonly struct ChannelShape
        {
            public ChannelShape(int samples, int channels, int inner) { Samples = samples; Channels = channels; Inner = inner; }
            public int Samples { get; }
            public int Channels { get; }
            public int Inner { get; }
            public int Offset(int n, int c) => (n * Channels + c) * Inner;
        }

        public static ChannelShape Layout(Shape x) => new ChannelShape(x[0], x[ChannelLayout.Axis], (int)(x.Elements / ((long)x[0] * x[ChannelLayout.Axis])));

        public static void Mean(ReadOnlySpan<float> x, ChannelShape s, long count, Span<float> mean, int first, int last)
        {
            for (int c = first; c < last; c++)
            {
                double sum = 0;
                for (int n = 0; n < s.Samples; n++) sum += TensorPrimitives.Sum(x.Slice(s.Offset(n, c), s.Inner));
                mean[c] = (float)(sum / count);
            }
        }

        public static void Variance(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ChannelShape s, long count, Span<float> variance, int first, int last)
        {
            for (int c = first; c < last; c++)
            {
                double sum = 0;
                for (int n = 0; n < s.Samples; n++) sum += SquaredDeviations(x.Slice(s.Offset(n, c), s.Inner), mean[c]);
                variance[c] = (float)(sum / count);
            }
        }

        /// <summary>Σ (x − m)².</summary>
        private static float SquaredDeviations(ReadOnlySpan<float> x, float m)
        {
            var acc = Vector<float>.Zero;
            var mv = new Vector<float>(m);
            int i = 0;
            for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count)
            {
                var d = new Vector<float>(x.Slice(i)) - mv;
                acc += d * d;
            }
            float sum = Vector.Sum(acc);
            for (; i < x.Length; i++) sum += (x[i] - m) * (x[i] - m);
            return sum;
        }

        /// <summary>Σ w·(x − m).</summary>
        private static float Deviations(ReadOnlySpan<float> w, ReadOnlySpan<float> x, float m)
        {
            var acc = Vector<float>.Zero;
            var mv = new Vector<float>(m);
            int i = 0;
            for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count)
                acc += new Vector<float>(w.Slice(i)) * (new Vector<float>(x.Slice(i)) - mv);
            float sum = Vector.Sum(acc);
            for (; i < x.Length; i++) sum += w[i] * (x[i] - m);
            return sum;
        }

        public static void UpdateRunning(Span<float> runningMean, Span<float> runningVar, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float momentum, long count)
        {
            float unbiased = count / (float)(count - 1);
            for (int c = 0; c < runningMean.Length; c++)
            {
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * variance[c] * unbiased;
            }
        }

        /// <summary>y = x·a + b per channel, a = γ/√(var + ε), b = β − mean·a.</summary>
        public static void Normalize(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, ReadOnlySpan<float> gamma,
            ReadOnlySpan<float> beta, float eps, ChannelShape s, Span<float> y, int first, int last)
        {
            for (int c = first; c < last; c++)
            {
                float a = gamma[c] / MathF.Sqrt(variance[c] + eps), b = beta[c] - mean[c] * a;
                for (int n = 0; n < s.Samples; n++)
                {
                    int at = s.Offset(n, c);
                    Affine(x.Slice(at, s.Inner), a, b, y.Slice(at, s.Inner));
                }
            }
        }

        /// <summary>y = x·a + b.</summary>
        private static void Affine(ReadOnlySpan<float> x, float a, float b, Span<float> y)
        {
            var av = new Vector<float>(a);
            var bv = new Vector<float>(b);
            int i = 0;
            for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count) (new Vector<float>(x.Slice(i)) * av + bv).CopyTo(y.Slice(i));
            for (; i < x.Length; i++) y[i] = x[i] * a + b;
        }

        /// <summary>r[0, c] = Σ dy, r[1, c] = Σ dy·(x − mean)/√(var + ε).</summary>
        public static void GradientSums(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
            float eps, ChannelShape s, Span<float> r, int first, int last)
        {
            for (int c = first; c < last; c++)
            {
                double sum = 0, weighted = 0;
                for (int n = 0; n < s.Samples; n++)
                {
                    int at = s.Offset(n, c);
                    var d = dy.Slice(at, s.Inner);
                    sum += TensorPrimitives.Sum(d);
                    weighted += Deviations(d, x.Slice(at, s.Inner), mean[c]);
                }
                r[c] = (float)sum;
                r[s.Channels + c] = (float)(weighted / Math.Sqrt(variance[c] + eps));
            }
        }

        /// <summary>dx = a·dy + b·x + e per channel: with batch statistics (count &gt; 0) the whole gradient
        /// γ/σ·(dy − r₀/n − x̂·r₁/n); with constant ones γ/σ·dy.</summary>
        public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
            ReadOnlySpan<float> gamma, ReadOnlySpan<float> r, float eps, long count, ChannelShape s, Span<float> dx, int first, int last)
        {
            for (int c = first; c < last; c++)
            {
                float inverse = 1f / MathF.Sqrt(variance[c] + eps), a = gamma[c] * inverse;
                float b = count > 0 ? -a * inverse * r[s.Channels + c] / count : 0;
                float e = count > 0 ? -a * r[c] / count - b * mean[c] : 0;
                for (int n = 0; n < s.Samples; n++)
                {
                    int at = s.Offset(n, c);
                    var o = dx.Slice(at, s.Inner);
                    Affine(x.Slice(at, s.Inner), b, e, o);
                    TensorPrimitives.MultiplyAdd(dy.Slice(at, s.Inner), a, o, o);
                }
            }
        }
    }
}
