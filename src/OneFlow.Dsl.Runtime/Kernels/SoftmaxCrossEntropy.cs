using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The parts of softmax cross-entropy (<see cref="SoftmaxCrossEntropyOp"/>), row by row over the last axis.
    /// Split by class, a device sees its own classes, which start at <see cref="FirstClass"/>.</summary>
    internal static class SoftmaxCrossEntropy
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.ChunkMax, k => ChunkMax(k.In(0), k.LastOf(0), k.OutShape[k.OutShape.Rank - 1], k.Out));
            CpuKernels.Add(OpKind.SumExp, k => SumExp(k.In(0), k.In(1), k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.SumExpGrad, k => SumExpGrad(k.In(0), k.In(1), k.In(2), k.LastOf(1), k.Out));
            CpuKernels.Add(OpKind.PickClass, k => PickClass(k.In(0), k.Ints(1), k.LastOf(0), FirstClass(k, 0, k.InShape(0).Rank - 1), ClassesOf(k), k.Out));
            CpuKernels.Add(OpKind.PickClassGrad, k => PickClassGrad(k.In(0), k.Ints(1), k.OutShape[k.OutShape.Rank - 1], k.Geometry.OutputStart[k.OutShape.Rank - 1], PickClassGradOp.Classes(k.Op), k.Out));
            CpuKernels.Add(OpKind.CrossEntropyRows, k => CrossEntropyRows(k.In(0), k.In(1), k.In(2), k.Out));
        }

        /// <summary>Where a device's classes start along the last axis of input <paramref name="input"/>.</summary>
        public static int FirstClass(KernelContext k, int input, int axis) => k.Geometry.InputStarts[input][axis];

        private static int ClassesOf(KernelContext k) => k.WholeIn(0)[k.WholeIn(0).Rank - 1];

        /// <summary>Per row, the maximum of each of <paramref name="chunks"/> chunks, cut as a split over that many devices cuts.</summary>
        public static void ChunkMax(ReadOnlySpan<float> x, int cols, int chunks, Span<float> y)
        {
            for (int r = 0; r < x.Length / cols; r++)
                for (int c = 0; c < chunks; c++)
                    y[r * chunks + c] = TensorPrimitives.Max(x.Slice(r * cols + Partition.Start(cols, chunks, c), Partition.Length(cols, chunks, c)));
        }

        /// <summary>s[r] = Σ_c exp(x[r, c] − m[r]), summed in double.</summary>
        public static void SumExp(ReadOnlySpan<float> x, ReadOnlySpan<float> m, int cols, Span<float> s)
        {
            for (int r = 0; r < s.Length; r++)
            {
                var row = x.Slice(r * cols, cols);
                double z = 0;
                for (int c = 0; c < cols; c++) z += Math.Exp(row[c] - m[r]);
                s[r] = (float)z;
            }
        }

        /// <summary>dx[r, c] = ds[r] · exp(x[r, c] − m[r]).</summary>
        public static void SumExpGrad(ReadOnlySpan<float> ds, ReadOnlySpan<float> x, ReadOnlySpan<float> m, int cols, Span<float> dx)
        {
            for (int r = 0; r < ds.Length; r++)
            {
                var d = dx.Slice(r * cols, cols);
                TensorPrimitives.Subtract(x.Slice(r * cols, cols), m[r], d);
                TensorPrimitives.Exp(d, d);
                TensorPrimitives.Multiply(d, ds[r], d);
            }
        }

        /// <summary>p[r] = x[r, label[r]] where this device holds the label's class, else 0.</summary>
        public static void PickClass(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, int cols, int first, int classes, Span<float> p)
        {
            for (int r = 0; r < p.Length; r++)
            {
                int c = CheckLabel(labels[r], classes) - first;
                p[r] = (uint)c < (uint)cols ? x[r * cols + c] : 0f;
            }
        }

        /// <summary>dx = dy at each row's label (where this device holds it), zeros elsewhere.</summary>
        public static void PickClassGrad(ReadOnlySpan<float> dy, ReadOnlySpan<int> labels, int cols, int first, int classes, Span<float> dx)
        {
            dx.Clear();
            for (int r = 0; r < dy.Length; r++)
            {
                int c = CheckLabel(labels[r], classes) - first;
                if ((uint)c < (uint)cols) dx[r * cols + c] = dy[r];
            }
        }

        /// <summary>loss[r] = log s[r] + m[r] − p[r].</summary>
        public static void CrossEntropyRows(ReadOnlySpan<float> s, ReadOnlySpan<float> m, ReadOnlySpan<float> p, Span<float> loss)
        {
            for (int r = 0; r < loss.Length; r++) loss[r] = MathF.Log(s[r]) + m[r] - p[r];
        }

        private static int CheckLabel(int label, int classes)
            => (uint)label < (uint)classes
                ? label
                : throw new ArgumentOutOfRangeException(nameof(label), $"Label {label} is not a class id in [0, {classes}).");
    }
}
