using System;
using System.Numerics.Tensors;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Softmax cross-entropy over rows of logits against integer labels, normalised by the whole batch
    /// (<c>batch</c>), so that devices holding slices of the rows produce partial sums of the mean.</summary>
    public static class SoftmaxCrossEntropy
    {
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

        /// <summary>d logits = (softmax − one-hot) / batch.</summary>
        public static void Backward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, int batch, Span<float> dLogits)
        {
            float scale = 1f / batch;
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
