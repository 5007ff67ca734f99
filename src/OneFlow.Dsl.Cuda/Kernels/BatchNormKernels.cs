using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>x as [samples, channels, inner], by value.</summary>
    internal struct ChannelSizes
    {
        public int Samples, Channels, Inner;

        public static ChannelSizes Of(Planner.Model.Shape x)
        {
            var s = BatchNorm.Layout(x);
            return new ChannelSizes { Samples = s.Samples, Channels = s.Channels, Inner = s.Inner };
        }
    }

    /// <summary>Batch norm's parts with the CPU's formulas (see <c>Runtime.Kernels.BatchNorm</c>). A per-channel sum
    /// runs in two launches: a thread per (sample, channel) plane sums it into scratch, then a thread per channel adds
    /// its planes in sample order. The elementwise parts run a thread per element.</summary>
    internal static class BatchNormKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.ChannelMean, a =>
            {
                var planes = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelSizes>(PlaneDeviations);
                var channels = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ChannelSizes, float>(SumPlanes);
                return k =>
                {
                    var s = ChannelSizes.Of(k.InShape(0));
                    planes(k.Stream, s.Samples * s.Channels, k.In(0), default, k.Scratch, s);
                    channels(k.Stream, s.Channels, k.Scratch, k.Out, s, ChannelLayout.Count(k.WholeIn(0)));
                };
            }, launches: _ => 2, scratch: Planes);
            GpuKernels.Add(OpKind.ChannelVariance, a =>
            {
                var planes = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelSizes>(PlaneDeviations);
                var channels = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ChannelSizes, float>(SumPlanes);
                return k =>
                {
                    var s = ChannelSizes.Of(k.InShape(0));
                    planes(k.Stream, s.Samples * s.Channels, k.In(0), k.In(1), k.Scratch, s);
                    channels(k.Stream, s.Channels, k.Scratch, k.Out, s, ChannelLayout.Count(k.WholeIn(0)));
                };
            }, launches: _ => 2, scratch: Planes);
            GpuKernels.Add(OpKind.RunningStatsUpdate, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(UpdateRunning);
                return k =>
                {
                    var (momentum, count) = RunningStatsUpdateOp.Attributes(k.Op);
                    run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.In(1), k.In(2), k.In(3), momentum, count / (float)(count - 1));
                };
            });
            GpuKernels.Add(OpKind.BatchNorm, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelSizes, float>(Normalize);
                return k => run(k.Stream, k.Threads, k.In(0), k.In(1), k.In(2), k.In(3), k.In(4), k.Out, ChannelSizes.Of(k.InShape(0)), BatchNormOp.Attributes(k.Op).Eps);
            });
            GpuKernels.Add(OpKind.BatchNormReduce, a =>
            {
                var planes = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelSizes>(PlaneGradientSums);
                var channels = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelSizes, float>(SumGradientPlanes);
                return k =>
                {
                    var s = ChannelSizes.Of(k.InShape(1));
                    planes(k.Stream, s.Samples * s.Channels, k.In(0), k.In(1), k.In(2), k.Scratch, s);
                    channels(k.Stream, s.Channels, k.Scratch, k.In(3), k.Out, s, BatchNormReduceOp.Eps(k.Op));
                };
            }, launches: _ => 2, scratch: g => 2 * Planes(g));
            GpuKernels.Add(OpKind.BatchNormInputGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelSizes, InputGradientConstants>(InputGradient);
                return k =>
                {
                    var (eps, batch) = BatchNormOp.Attributes(k.Op);
                    var constants = new InputGradientConstants { Eps = eps, Count = batch ? ChannelLayout.Count(k.WholeIn(1)) : 0 };
                    run(k.Stream, k.Threads, k.In(0), k.In(1), k.In(2), k.In(3), k.In(4), k.In(5), k.Out, ChannelSizes.Of(k.InShape(1)), constants);
                };
            });
        }

        private static long Planes(OpGeometry g) => g.Inputs[g.Op.Kind == OpKind.BatchNormReduce ? 1 : 0].Elements / BatchNorm.Layout(g.Inputs[g.Op.Kind == OpKind.BatchNormReduce ? 1 : 0]).Inner;

        internal struct InputGradientConstants
        {
            public float Eps, Count;
        }

        /// <summary>Per plane: Σ x, or Σ (x − mean)² where a mean is given.</summary>
        public static void PlaneDeviations(Index1D plane, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> sums, ChannelSizes s)
        {
            long at = (long)(int)plane * s.Inner;
            bool squared = mean.Length > 0;
            float m = squared ? mean[plane % s.Channels] : 0f, sum = 0f;
            for (int i = 0; i < s.Inner; i++)
            {
                float d = x[at + i] - m;
                sum += squared ? d * d : d;
            }
            sums[plane] = sum;
        }

        public static void SumPlanes(Index1D c, ArrayView<float> sums, ArrayView<float> y, ChannelSizes s, float count)
        {
            double sum = 0;
            for (int n = 0; n < s.Samples; n++) sum += sums[n * s.Channels + c];
            y[c] = (float)(sum / count);
        }

        public static void UpdateRunning(Index1D c, ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> mean, ArrayView<float> variance,
            float momentum, float unbiased)
        {
            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
            runningVar[c] = (1 - momentum) * runningVar[c] + momentum * variance[c] * unbiased;
        }

        public static void Normalize(Index1D i, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance, ArrayView<float> gamma, ArrayView<float> beta,
            ArrayView<float> y, ChannelSizes s, float eps)
        {
            int c = i / s.Inner % s.Channels;
            float a = gamma[c] / XMath.Sqrt(variance[c] + eps);
            y[i] = x[i] * a + (beta[c] - mean[c] * a);
        }

        /// <summary>Per plane: Σ dy and Σ dy·(x − mean), side by side.</summary>
        public static void PlaneGradientSums(Index1D plane, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> sums, ChannelSizes s)
        {
            long at = (long)(int)plane * s.Inner;
            float m = mean[plane % s.Channels], sum = 0f, weighted = 0f;
            for (int i = 0; i < s.Inner; i++)
            {
                sum += dy[at + i];
                weighted += dy[at + i] * (x[at + i] - m);
            }
            sums[2 * plane] = sum;
            sums[2 * plane + 1] = weighted;
        }

        public static void SumGradientPlanes(Index1D c, ArrayView<float> sums, ArrayView<float> variance, ArrayView<float> r, ChannelSizes s, float eps)
        {
            double sum = 0, weighted = 0;
            for (int n = 0; n < s.Samples; n++)
            {
                sum += sums[2 * (n * s.Channels + c)];
                weighted += sums[2 * (n * s.Channels + c) + 1];
            }
            r[c] = (float)sum;
            r[s.Channels + c] = (float)(weighted / XMath.Sqrt(variance[c] + eps));
        }

        public static void InputGradient(Index1D i, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance, ArrayView<float> gamma,
            ArrayView<float> r, ArrayView<float> dx, ChannelSizes s, InputGradientConstants k)
        {
            int c = i / s.Inner % s.Channels;
            float inverse = 1f / XMath.Sqrt(variance[c] + k.Eps), a = gamma[c] * inverse;
            float b = k.Count > 0 ? -a * inverse * r[s.Channels + c] / k.Count : 0f;
            float e = k.Count > 0 ? -a * r[c] / k.Count - b * mean[c] : 0f;
            dx[i] = a * dy[i] + b * x[i] + e;
        }
    }
}
