using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Kernels over rows of the last axis, one thread per row, with the CPU kernels' formulas. (A group
    /// per row with a shared-memory reduction is the faster shape for long rows; it comes with the GPU
    /// benchmarks.)</summary>
    internal static class RowKernels
    {
        public const float LayerNormEpsilon = OneFlow.Dsl.Runtime.Kernels.RowKernels.LayerNormEpsilon;

        [ModuleInitializer]
        internal static void Register()
        {
            Rows(OpKind.Softmax, Softmax);
            Rows(OpKind.CausalSoftmax, CausalSoftmax);
            Rows(OpKind.LogSoftmax, LogSoftmax);
            Rows(OpKind.LayerNorm, LayerNorm);
            GradientRows(OpKind.SoftmaxGrad, SoftmaxGrad);
            GradientRows(OpKind.LogSoftmaxGrad, LogSoftmaxGrad);
            GradientRows(OpKind.LayerNormGrad, LayerNormGrad);
            GpuKernels.Add(OpKind.MaxLast, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(MaxLast);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, k.LastOf(0));
            });
            GpuKernels.Add(OpKind.MaxLastGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(MaxLastGrad);
                return k => run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.In(1), k.Out, k.LastOf(1));
            });
        }

        /// <summary>One thread per row of the output's last axis.</summary>
        private static void Rows(OpKind kind, Action<Index1D, ArrayView<float>, ArrayView<float>, int> kernel)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel(kernel);
                return k => run(k.Stream, k.Threads / k.LastOf(0), k.In(0), k.Out, k.LastOf(0));
            });

        /// <summary>One thread per row, from dy and a saved tensor of the output's shape.</summary>
        private static void GradientRows(OpKind kind, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> kernel)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel(kernel);
                return k => run(k.Stream, k.Threads / k.LastOf(1), k.In(0), k.In(1), k.Out, k.LastOf(1));
            });


        public static void Softmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = r * cols;
            float max = RowMax(x, o, cols), sum = 0f;
            for (int c = 0; c < cols; c++) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            for (int c = 0; c < cols; c++) y[o + c] /= sum;
        }

        /// <summary>Row r of a T×T block over its first r mod T + 1 entries, zeros after.</summary>
        public static void CausalSoftmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = r * cols, keep = r % cols + 1;
            float max = RowMax(x, o, keep), sum = 0f;
            for (int c = 0; c < keep; c++) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            for (int c = 0; c < cols; c++) y[o + c] = c < keep ? y[o + c] / sum : 0f;
        }

        public static void SoftmaxGrad(Index1D r, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int cols)
        {
            int o = r * cols;
            float dot = 0f;
            for (int c = 0; c < cols; c++) dot += dy[o + c] * y[o + c];
            for (int c = 0; c < cols; c++) dx[o + c] = (dy[o + c] - dot) * y[o + c];
        }

        public static void LogSoftmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = r * cols;
            float max = RowMax(x, o, cols), z = 0f;
            for (int c = 0; c < cols; c++) z += XMath.Exp(x[o + c] - max);
            float shift = max + XMath.Log(z);
            for (int c = 0; c < cols; c++) y[o + c] = x[o + c] - shift;
        }

        public static void LogSoftmaxGrad(Index1D r, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int cols)
        {
            int o = r * cols;
            float sum = 0f;
            for (int c = 0; c < cols; c++) sum += dy[o + c];
            for (int c = 0; c < cols; c++) dx[o + c] = dy[o + c] - XMath.Exp(y[o + c]) * sum;
        }

        public static void MaxLast(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols) => y[r] = RowMax(x, r * cols, cols);

        /// <summary>dy at each row's first maximum, zero elsewhere.</summary>
        public static void MaxLastGrad(Index1D r, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols)
        {
            int o = r * cols, best = 0;
            for (int c = 1; c < cols; c++) if (x[o + c] > x[o + best]) best = c;
            for (int c = 0; c < cols; c++) dx[o + c] = c == best ? dy[r] : 0f;
        }

        public static void LayerNorm(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = r * cols;
            Moments(x, o, cols, out float mean, out float inv);
            for (int c = 0; c < cols; c++) y[o + c] = (x[o + c] - mean) * inv;
        }

        public static void LayerNormGrad(Index1D r, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols)
        {
            int o = r * cols;
            Moments(x, o, cols, out float mean, out float inv);
            float sumDy = 0f, sumDyY = 0f;
            for (int c = 0; c < cols; c++)
            {
                float y = (x[o + c] - mean) * inv;
                sumDy += dy[o + c];
                sumDyY += dy[o + c] * y;
            }
            float meanDy = sumDy / cols, meanDyY = sumDyY / cols;
            for (int c = 0; c < cols; c++) dx[o + c] = (dy[o + c] - meanDy - (x[o + c] - mean) * inv * meanDyY) * inv;
        }

        internal static float RowMax(ArrayView<float> x, int offset, int cols)
        {
            float max = x[offset];
            for (int c = 1; c < cols; c++) max = XMath.Max(max, x[offset + c]);
            return max;
        }

        private static void Moments(ArrayView<float> x, int offset, int cols, out float mean, out float inv)
        {
            float sum = 0f, squares = 0f;
            for (int c = 0; c < cols; c++) sum += x[offset + c];
            mean = sum / cols;
            for (int c = 0; c < cols; c++) { float d = x[offset + c] - mean; squares += d * d; }
            inv = XMath.Rsqrt(squares / cols + LayerNormEpsilon);
        }
    }
}
