using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The elementwise losses (mean reduction) with the CPU's formulas: each element's term into scratch, then
    /// one thread adds them in order (the same bits on every run) and divides by the whole element count.</summary>
    internal static class LossKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            Add(OpKind.MseLoss, OpKind.MseLossGrad, MseTerm, MseSlope);
            Add(OpKind.L1Loss, OpKind.L1LossGrad, L1Term, L1Slope);
            Add(OpKind.BceWithLogitsLoss, OpKind.BceWithLogitsLossGrad, BceTerm, BceSlope);
        }

        private static void Add(OpKind loss, OpKind gradient, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> term,
            Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> slope)
        {
            GpuKernels.Add(loss, a =>
            {
                var terms = a.LoadAutoGroupedKernel(term);
                var sum = a.LoadKernel<ArrayView<float>, ArrayView<float>, int, float>(Mean);
                return k =>
                {
                    int n = GpuKernelContext.Count(k.In(0));
                    terms(k.Stream, n, k.In(0), k.In(1), k.Scratch);
                    sum(k.Stream, GroupReductions.OneGroup(a), k.Scratch, k.Out, n, k.WholeIn(0).Elements);
                };
            }, launches: _ => 2, scratch: g => g.Inputs[0].Elements);
            GpuKernels.Add(gradient, a =>
            {
                var slopes = a.LoadAutoGroupedKernel(slope);
                return k => slopes(k.Stream, k.Threads, k.In(0), k.In(1), k.In(2), k.Out, k.WholeIn(0).Elements);
            });
        }

        /// <summary>One group: the terms' sum in double, over the divisor.</summary>
        public static void Mean(ArrayView<float> values, ArrayView<float> mean, int count, float divisor)
        {
            double sum = 0;
            for (int k = Group.IdxX; k < count; k += Group.DimX) sum += values[k];
            sum = GroupReductions.Sum(sum);
            if (Group.IdxX == 0) mean[0] = (float)(sum / divisor);
        }

        public static void MseTerm(Index1D i, ArrayView<float> y, ArrayView<float> t, ArrayView<float> terms)
        {
            float d = y[i] - t[i];
            terms[i] = d * d;
        }

        public static void MseSlope(Index1D i, ArrayView<float> y, ArrayView<float> t, ArrayView<float> dLoss, ArrayView<float> dy, float count)
            => dy[i] = 2f * (y[i] - t[i]) * (dLoss[0] / count);

        public static void L1Term(Index1D i, ArrayView<float> y, ArrayView<float> t, ArrayView<float> terms) => terms[i] = XMath.Abs(y[i] - t[i]);

        public static void L1Slope(Index1D i, ArrayView<float> y, ArrayView<float> t, ArrayView<float> dLoss, ArrayView<float> dy, float count)
        {
            float d = y[i] - t[i];
            dy[i] = (d > 0f ? 1f : d < 0f ? -1f : 0f) * (dLoss[0] / count);
        }

        public static void BceTerm(Index1D i, ArrayView<float> x, ArrayView<float> t, ArrayView<float> terms)
        {
            float v = x[i];
            terms[i] = XMath.Max(v, 0f) + XMath.Log(1f + XMath.Exp(-XMath.Abs(v))) - v * t[i];
        }

        public static void BceSlope(Index1D i, ArrayView<float> x, ArrayView<float> t, ArrayView<float> dLoss, ArrayView<float> dy, float count)
            => dy[i] = (1f / (1f + XMath.Exp(-x[i])) - t[i]) * (dLoss[0] / count);
    }
}
