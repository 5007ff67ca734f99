using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Kernels over rows of the last axis with the CPU kernels' formulas: one group of threads per row, the
    /// row's maxima and sums reduced through shared memory (<see cref="GroupReductions"/>).</summary>
    internal static class RowKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            Rows(OpKind.Softmax, Softmax);
            Rows(OpKind.CausalSoftmax, CausalSoftmax);
            Rows(OpKind.LogSoftmax, LogSoftmax);
            GradientRows(OpKind.SoftmaxGrad, SoftmaxGrad);
            GradientRows(OpKind.LogSoftmaxGrad, LogSoftmaxGrad);
            GpuKernels.Add(OpKind.MaxLast, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, int>(MaxLast);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads), k.In(0), k.Out, k.LastOf(0));
            });
            GradientRows(OpKind.MaxLastGrad, MaxLastGrad);
        }

        /// <summary>A group per row of the output's last axis.</summary>
        private static void Rows(OpKind kind, Action<ArrayView<float>, ArrayView<float>, int> kernel)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadKernel(kernel);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads / k.LastOf(0)), k.In(0), k.Out, k.LastOf(0));
            });

        /// <summary>A group per row, from dy and a saved tensor of the output's shape.</summary>
        private static void GradientRows(OpKind kind, Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, int> kernel)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadKernel(kernel);
                return k => run(k.Stream, GroupReductions.PerRow(a, k.Threads / k.LastOf(1)), k.In(0), k.In(1), k.Out, k.LastOf(1));
            });

        public static void Softmax(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = Grid.IdxX * cols;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, cols), sum = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            sum = GroupReductions.Sum(sum);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) y[o + c] /= sum;
        }

        /// <summary>Row r of a T×T block over its first r mod T + 1 entries, zeros after.</summary>
        public static void CausalSoftmax(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int r = Grid.IdxX, o = r * cols, keep = r % cols + 1;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, keep), sum = 0f;
            for (int c = Group.IdxX; c < keep; c += Group.DimX) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            sum = GroupReductions.Sum(sum);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) y[o + c] = c < keep ? y[o + c] / sum : 0f;
        }

        public static void SoftmaxGrad(ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int cols)
        {
            int o = Grid.IdxX * cols;
            if (o >= dy.Length) return;
            float dot = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) dot += dy[o + c] * y[o + c];
            dot = GroupReductions.Sum(dot);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) dx[o + c] = (dy[o + c] - dot) * y[o + c];
        }

        public static void LogSoftmax(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = Grid.IdxX * cols;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, cols), z = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) z += XMath.Exp(x[o + c] - max);
            float shift = max + XMath.Log(GroupReductions.Sum(z));
            for (int c = Group.IdxX; c < cols; c += Group.DimX) y[o + c] = x[o + c] - shift;
        }

        public static void LogSoftmaxGrad(ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int cols)
        {
            int o = Grid.IdxX * cols;
            if (o >= dy.Length) return;
            float sum = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) sum += dy[o + c];
            sum = GroupReductions.Sum(sum);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) dx[o + c] = dy[o + c] - XMath.Exp(y[o + c]) * sum;
        }

        public static void MaxLast(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int r = Grid.IdxX;
            if (r >= y.Length) return;
            float max = GroupReductions.RowMax(x, r * cols, cols);
            if (Group.IdxX == 0) y[r] = max;
        }

        /// <summary>dy at each row's first maximum, zero elsewhere.</summary>
        public static void MaxLastGrad(ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols)
        {
            int r = Grid.IdxX, o = r * cols;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, cols);
            int first = cols;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) if (x[o + c] == max && c < first) first = c;
            first = GroupReductions.Min(first);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) dx[o + c] = c == first ? dy[r] : 0f;
        }
    }
}
