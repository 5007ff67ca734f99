using System;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Every kernel compiled once for one accelerator, launched on a given stream: the host only enqueues,
    /// never waits.</summary>
    public sealed class GpuKernels
    {
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, int> _binary;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, SumLayout> _sumTo;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<Four>, ArrayView<Four>, ArrayView<Four>, int> _binaryFour;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> _neg, _relu, _gelu;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, float, ArrayView<float>> _scale;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _reluGrad, _geluGrad;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, float> _sgd;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, ArrayView<float>, float> _momentum;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, float, float, ArrayView<float>, float> _adam;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int> _sumSquares;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PartLayout, double, long, long> _dropout;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int> _softmax, _logSoftmax, _maxLast, _layerNorm, _causalSoftmax;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _softmaxGrad, _logSoftmaxGrad, _maxLastGrad, _layerNormGrad;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, float> _sumLast, _expandLast;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _crossEntropyRows, _crossEntropyGrad;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int> _sumInOrder;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> _transpose;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, BroadcastLayout> _permute;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int> _slice, _unslice;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _concat;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int> _embedding, _embeddingGrad;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _gemm;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, int, int, int> _gather;

        public GpuKernels(Accelerator accelerator)
        {
            _binary = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, int>(ElementwiseKernels.Binary);
            _binaryFour = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<Four>, ArrayView<Four>, ArrayView<Four>, int>(ElementwiseKernels.BinaryFour);
            _sumTo = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, SumLayout>(ElementwiseKernels.SumTo);
            _scale = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(ElementwiseKernels.Scale);
            _neg = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Neg);
            _relu = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Relu);
            _gelu = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Gelu);
            _reluGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ReluGrad);
            _geluGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.GeluGrad);
            _sgd = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, float>(ElementwiseKernels.SgdUpdate);
            _momentum = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, ArrayView<float>, float>(ElementwiseKernels.MomentumUpdate);
            _adam = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, float, float, ArrayView<float>, float>(ElementwiseKernels.AdamUpdate);
            _sumSquares = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.SumSquares);
            _dropout = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PartLayout, double, long, long>(ElementwiseKernels.Dropout);
            _softmax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.Softmax);
            _causalSoftmax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.CausalSoftmax);
            _logSoftmax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.LogSoftmax);
            _maxLast = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.MaxLast);
            _layerNorm = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.LayerNorm);
            _softmaxGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(RowKernels.SoftmaxGrad);
            _logSoftmaxGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(RowKernels.LogSoftmaxGrad);
            _maxLastGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(RowKernels.MaxLastGrad);
            _layerNormGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(RowKernels.LayerNormGrad);
            _sumLast = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(RowKernels.SumLast);
            _expandLast = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(RowKernels.ExpandLast);
            _crossEntropyRows = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(RowKernels.CrossEntropyRows);
            _crossEntropyGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(RowKernels.CrossEntropyGrad);
            _sumInOrder = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.SumInOrder);
            _transpose = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(LayoutKernels.Transpose);
            _permute = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, BroadcastLayout>(LayoutKernels.Permute);
            _slice = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(LayoutKernels.Slice);
            _unslice = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(LayoutKernels.Unslice);
            _concat = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(LayoutKernels.Concat);
            _embedding = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(LayoutKernels.EmbeddingForward);
            _embeddingGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(LayoutKernels.EmbeddingBackward);
            _gemm = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernels.Gemm);
            _gather = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int, int>(GatherKernels.Gather);
        }

        /// <summary>Row-major C[m,n] = op(A)·op(B) by the plain kernel (see <see cref="GpuGemm"/> for cuBLAS).</summary>
        public void Gemm(AcceleratorStream s, bool transA, bool transB, int m, int n, int k, ArrayView<float> a, int lda, ArrayView<float> b, int ldb, ArrayView<float> c, int ldc)
            => _gemm(s, m * n, a, b, c, new GemmShape { M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA ? 1 : 0, TransB = transB ? 1 : 0 });

        /// <summary>memory[destination + i] = the sum of element i's contributions (see <see cref="GatherKernels"/>).</summary>
        public void Gather(AcceleratorStream s, ArrayView<float> memory, ArrayView<int> map, int count, int contributions, int destination)
            => _gather(s, count, memory, map, count, contributions, destination);

        /// <summary>y = xᵀ for each rows×cols matrix of a batch.</summary>
        public void Transpose(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int rows, int cols) => _transpose(s, Count(y), x, y, rows, cols);
        /// <summary>y = x with its axes reordered (rank up to four): y's axis i is x's axis <paramref name="axes"/>[i].</summary>
        public void Permute(AcceleratorStream s, ArrayView<float> x, Shape shape, int[] axes, ArrayView<float> y)
        {
            int rank = shape.Rank, pad = BroadcastLayout.MaxRank - rank;
            if (rank > BroadcastLayout.MaxRank) throw new NotSupportedException($"The GPU permutes tensors of rank up to {BroadcastLayout.MaxRank}, not {shape}.");
            var inStride = new long[rank];
            long stride = 1;
            for (int k = rank - 1; k >= 0; k--) { inStride[k] = stride; stride *= shape[k]; }
            var dims = new int[BroadcastLayout.MaxRank];
            var steps = new int[BroadcastLayout.MaxRank];
            for (int k = 0; k < BroadcastLayout.MaxRank; k++)
            {
                dims[k] = k < pad ? 1 : shape[axes[k - pad]];
                steps[k] = k < pad ? 0 : (int)inStride[axes[k - pad]];
            }
            var l = new BroadcastLayout { D0 = dims[0], D1 = dims[1], D2 = dims[2], D3 = dims[3], A0 = steps[0], A1 = steps[1], A2 = steps[2], A3 = steps[3] };
            _permute(s, Count(y), x, y, l);
        }

        public void Slice(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int full, int start, int length, int inner) => _slice(s, Count(y), x, y, full, start, length, inner);
        public void Unslice(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> dx, int full, int start, int length, int inner) => _unslice(s, Count(dx), dy, dx, full, start, length, inner);
        public void Concat(AcceleratorStream s, ArrayView<float> a, int lengthA, ArrayView<float> b, int lengthB, int inner, ArrayView<float> y) => _concat(s, Count(y), a, b, y, lengthA, lengthB, inner);
        public void Embedding(AcceleratorStream s, ArrayView<int> ids, ArrayView<float> table, int first, int rows, int width, ArrayView<float> y) => _embedding(s, Count(y), ids, table, y, first, rows, width);
        public void EmbeddingGrad(AcceleratorStream s, ArrayView<int> ids, ArrayView<float> dy, int first, int width, ArrayView<float> dTable) => _embeddingGrad(s, Count(dTable), ids, dy, dTable, first, width, (int)ids.Length);

        public void Softmax(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols) => _softmax(s, Rows(y, cols), x, y, cols);
        public void CausalSoftmax(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols) => _causalSoftmax(s, Rows(y, cols), x, y, cols);
        public void SoftmaxGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int cols) => _softmaxGrad(s, Rows(dx, cols), dy, y, dx, cols);
        public void LogSoftmax(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols) => _logSoftmax(s, Rows(y, cols), x, y, cols);
        public void LogSoftmaxGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int cols) => _logSoftmaxGrad(s, Rows(dx, cols), dy, y, dx, cols);
        public void LayerNorm(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols) => _layerNorm(s, Rows(y, cols), x, y, cols);
        public void LayerNormGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols) => _layerNormGrad(s, Rows(dx, cols), dy, x, dx, cols);
        /// <summary>Each row's sum divided by <paramref name="divisor"/> (the logical row length for a mean).</summary>
        public void SumLast(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols, float divisor) => _sumLast(s, Count(y), x, y, cols, divisor);
        public void ExpandLast(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols, float divisor) => _expandLast(s, Count(y), x, y, cols, divisor);
        public void MaxLast(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, int cols) => _maxLast(s, Count(y), x, y, cols);
        public void MaxLastGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx, int cols) => _maxLastGrad(s, Count(dy), dy, x, dx, cols);

        /// <summary>The mean cross-entropy of these rows over the whole <paramref name="batch"/> into <paramref name="loss"/>[0];
        /// <paramref name="rowLoss"/> holds one float per row.</summary>
        public void CrossEntropy(AcceleratorStream s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> rowLoss, ArrayView<float> loss, int classes, int batch)
        {
            int rows = (int)labels.Length;
            _crossEntropyRows(s, rows, logits, labels, rowLoss, classes, batch);
            _sumInOrder(s, 1, rowLoss, loss, rows);
        }

        public void CrossEntropyGrad(AcceleratorStream s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> dLogits, int classes, int batch)
            => _crossEntropyGrad(s, (int)labels.Length, logits, labels, dLogits, classes, batch);

        private static int Rows(ArrayView<float> view, int cols) => Count(view) / cols;

        public void Add(AcceleratorStream s, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy) => Binary(s, ElementwiseKernels.Add, a, sa, b, sb, y, sy);
        public void Sub(AcceleratorStream s, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy) => Binary(s, ElementwiseKernels.Sub, a, sa, b, sb, y, sy);
        public void Mul(AcceleratorStream s, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy) => Binary(s, ElementwiseKernels.Mul, a, sa, b, sb, y, sy);

        /// <summary>y = x summed over the axes along which a tensor of <paramref name="sy"/> was broadcast to <paramref name="sx"/>.</summary>
        public void SumTo(AcceleratorStream s, ArrayView<float> x, Shape sx, ArrayView<float> y, Shape sy) => _sumTo(s, Count(y), x, y, SumLayout.Of(sx, sy));

        public void Neg(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _neg(s, Count(y), x, y);
        public void Scale(AcceleratorStream s, ArrayView<float> x, float c, ArrayView<float> y) => _scale(s, Count(y), x, c, y);
        public void Relu(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _relu(s, Count(y), x, y);
        public void ReluGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx) => _reluGrad(s, Count(dx), dy, y, dx);
        public void Gelu(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _gelu(s, Count(y), x, y);
        public void GeluGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx) => _geluGrad(s, Count(dx), dy, x, dx);
        /// <summary>Dropout of this device's part (<paramref name="start"/>, <paramref name="length"/> in a whole tensor of
        /// <paramref name="strides"/>) keyed by <paramref name="key"/> and the step.</summary>
        public void Dropout(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y, double p, long key, long step, int[] start, int[] length, long[] strides)
            => _dropout(s, Count(y), x, y, PartLayout.Of(start, length, strides), p, key, step);

        /// <param name="norm">For an update clipped by the global norm, the squared norm (with <paramref name="maxNorm"/>
        /// finite); any view with +∞ otherwise.</param>
        public void MomentumUpdate(AcceleratorStream s, ArrayView<float> w, ArrayView<float> g, ArrayView<float> v, float lr, float momentum,
            ArrayView<float> norm = default, float maxNorm = float.PositiveInfinity)
            => _momentum(s, Count(w), w, g, v, lr, momentum, norm.IsValid ? norm : g, maxNorm);

        public void AdamUpdate(AcceleratorStream s, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v,
            float lr, float beta1, float beta2, float epsilon, float decay, long step, ArrayView<float> norm = default, float maxNorm = float.PositiveInfinity)
            => _adam(s, Count(w), w, g, m, v, lr, beta1, beta2, epsilon, decay, 1 - MathF.Pow(beta1, step), 1 - MathF.Pow(beta2, step), norm.IsValid ? norm : g, maxNorm);

        public void SumSquares(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _sumSquares(s, 1, x, y, Count(x));

        public void SgdUpdate(AcceleratorStream s, ArrayView<float> w, ArrayView<float> g, float lr, ArrayView<float> norm = default, float maxNorm = float.PositiveInfinity)
            => _sgd(s, Count(w), w, g, lr, norm.IsValid ? norm : g, maxNorm);

        /// <summary>Equal shapes whose length divides by four go four floats per thread (every register starts on a
        /// 64-byte boundary, so the 16-byte loads are aligned); the rest through the broadcasting kernel.</summary>
        private void Binary(AcceleratorStream s, int op, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy)
        {
            int n = Count(y);
            if (a.Length == n && b.Length == n && n % 4 == 0)
                _binaryFour(s, n / 4, a.SubView(0, n).Cast<Four>(), b.SubView(0, n).Cast<Four>(), y.SubView(0, n).Cast<Four>(), op);
            else
                _binary(s, n, a, b, y, BroadcastLayout.Of(sa, sb, sy), op);
        }

        private static int Count(ArrayView<float> view)
            => view.Length <= int.MaxValue ? (int)view.Length : throw new NotSupportedException("A GPU tensor part holds at most 2³¹−1 elements.");
    }
}
