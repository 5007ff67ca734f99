using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Softmax cross-entropy over rows of logits against integer labels, normalised by the whole batch
    /// (<c>batch</c>), so that devices holding slices of the rows produce partial sums of the mean.</summary>
    internal static class SoftmaxCrossEntropy
    {
        /// <summary>Every device divides by the rows of the whole logits, so that its part is a partial sum of the mean.</summary>
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.SoftmaxCrossEntropy, k => k.Out[0] = Forward(k.In(0), k.Ints(1), k.LastOf(0), WholeRows(k)));
            CpuKernels.Add(OpKind.SoftmaxCrossEntropyGrad, k => Backward(k.In(0), k.Ints(1), k.LastOf(0), WholeRows(k), k.In(2)[0], k.Out));
        }

        private static int WholeRows(KernelContext k) => (int)(k.WholeIn(0).Elements / k.WholeIn(0)[k.WholeIn(0).Rank - 1]);

        /// <summary>Returns Σ over these rows of −log softmax(row)[label], divided by <paramref name="batch"/>.</summary>
        public static float Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, int batch)
        {
            double sum = 0;
            for (int r = 0; r < labels.Length; r++)
            {
                var row = logits.Slice(r * classes, classes);
                int label = CheckLabel(labels[r], classes);
                float max = TensorPrimitives.Max(row);
                double z = 0;
                for (int c = 0; c < classes; c++) z += Math.Exp(row[c] - max);
                sum += Math.Log(z) - (row[label] - max);
            }
            return (float)(sum / batch);
        }

        /// <summary>d logits = (softmax − one-hot) / batch · dy.</summary>
        public static void Backward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, int batch, float dy, Span<float> dLogits)
        {
            float scale = dy / batch;
            for (int r = 0; r < labels.Length; r++)
            {
                var row = logits.Slice(r * classes, classes);
                var d = dLogits.Slice(r * classes, classes);
                TensorPrimitives.SoftMax(row, d);
                TensorPrimitives.Multiply(d, scale, d);
                d[CheckLabel(labels[r], classes)] -= scale;
            }
        }

        private static int CheckLabel(int label, int classes)
            => (uint)label < (uint)classes
                ? label
                : throw new ArgumentOutOfRangeException(nameof(label), $"Label {label} is not a class id in [0, {classes}).");
    }
}
