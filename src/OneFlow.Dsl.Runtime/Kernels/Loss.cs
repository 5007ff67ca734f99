using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The elementwise losses (mean reduction) and their gradients, vectorised a block at a time on the stack.
    /// Every device divides by the whole tensor's element count, so that its part is a partial sum of the mean.</summary>
    internal static class Loss
    {
        private const int Block = 512;

        /// <summary>A loss's terms (or its slopes) for a block of predictions and targets.</summary>
        private delegate void Terms(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> into, Span<float> scratch);

        [ModuleInitializer]
        internal static void Register()
        {
            Add(OpKind.MseLoss, OpKind.MseLossGrad, MseTerms, MseSlopes);
            Add(OpKind.L1Loss, OpKind.L1LossGrad, L1Terms, L1Slopes);
            Add(OpKind.BceWithLogitsLoss, OpKind.BceWithLogitsLossGrad, BceTerms, BceSlopes);
        }

        private static void Add(OpKind loss, OpKind gradient, Terms terms, Terms slopes)
        {
            CpuKernels.Add(loss, k => k.Out[0] = Mean(k.In(0), k.In(1), k.WholeIn(0).Elements, terms));
            CpuKernels.Add(gradient, k => Slopes(k.In(0), k.In(1), k.In(2)[0] / k.WholeIn(0).Elements, k.Out, slopes));
        }

        private static float Mean(ReadOnlySpan<float> y, ReadOnlySpan<float> t, long count, Terms terms)
        {
            Span<float> into = stackalloc float[Block], scratch = stackalloc float[Block];
            double sum = 0;
            for (int start = 0; start < y.Length; start += Block)
            {
                int n = Math.Min(Block, y.Length - start);
                terms(y.Slice(start, n), t.Slice(start, n), into[..n], scratch[..n]);
                sum += TensorPrimitives.Sum<float>(into[..n]);
            }
            return (float)(sum / count);
        }

        /// <summary>dy = slope · <paramref name="scale"/> (dy of the loss over the element count).</summary>
        private static void Slopes(ReadOnlySpan<float> y, ReadOnlySpan<float> t, float scale, Span<float> dy, Terms slopes)
        {
            Span<float> scratch = stackalloc float[Block];
            for (int start = 0; start < y.Length; start += Block)
            {
                int n = Math.Min(Block, y.Length - start);
                var o = dy.Slice(start, n);
                slopes(y.Slice(start, n), t.Slice(start, n), o, scratch[..n]);
                TensorPrimitives.Multiply(o, scale, o);
            }
        }

        private static void MseTerms(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> into, Span<float> _)
        {
            TensorPrimitives.Subtract(y, t, into);
            TensorPrimitives.Multiply(into, into, into);
        }

        private static void MseSlopes(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> into, Span<float> _)
        {
            TensorPrimitives.Subtract(y, t, into);
            TensorPrimitives.Multiply(into, 2f, into);
        }

        private static void L1Terms(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> into, Span<float> _)
        {
            TensorPrimitives.Subtract(y, t, into);
            TensorPrimitives.Abs(into, into);
        }

        private static void L1Slopes(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> into, Span<float> _)
        {
            TensorPrimitives.Subtract(y, t, into);
            PointwiseMath.Sign(into, into);
        }

        /// <summary>max(x, 0) − x·t + log(1 + e^−|x|), which never overflows.</summary>
        private static void BceTerms(ReadOnlySpan<float> x, ReadOnlySpan<float> t, Span<float> into, Span<float> scratch)
        {
            PointwiseMath.Softplus(x, into);
            TensorPrimitives.Multiply(x, t, scratch);
            TensorPrimitives.Subtract(into, scratch, into);
        }

        /// <summary>σ(x) − t.</summary>
        private static void BceSlopes(ReadOnlySpan<float> x, ReadOnlySpan<float> t, Span<float> into, Span<float> _)
        {
            TensorPrimitives.Sigmoid(x, into);
            TensorPrimitives.Subtract(into, t, into);
        }
    }
}
