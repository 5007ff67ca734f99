using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Softmax and log softmax over rows and their gradients, with the CPU's formulas (<see cref="Runtime.Kernels.Softmax"/>).</summary>
    internal static class SoftmaxKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            RowLaunch.Rows(OpKind.Softmax, Softmax);
            RowLaunch.Rows(OpKind.LogSoftmax, LogSoftmax);
            RowLaunch.GradientRows(OpKind.SoftmaxGrad, SoftmaxGrad);
            RowLaunch.GradientRows(OpKind.LogSoftmaxGrad, LogSoftmaxGrad);
        }

        public static void Softmax(ArrayView<float> x, ArrayView<float> y, int cols)
        {
            int o = Grid.IdxX * cols;
            if (o >= x.Length) return;
            float max = GroupReductions.RowMax(x, o, cols), sum = 0f;
            for (int c = Group.IdxX; c < cols; c += Group.DimX) { float e = XMath.Exp(x[o + c] - max); y[o + c] = e; sum += e; }
            sum = GroupReductions.Sum(sum);
            for (int c = Group.IdxX; c < cols; c += Group.DimX) y[o + c] /= sum;
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
    }
}
