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
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> _neg, _relu, _gelu;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _reluGrad, _geluGrad;
        private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, float> _sgd;

        public GpuKernels(Accelerator accelerator)
        {
            _binary = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, int>(ElementwiseKernels.Binary);
            _sumTo = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, SumLayout>(ElementwiseKernels.SumTo);
            _neg = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Neg);
            _relu = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Relu);
            _gelu = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Gelu);
            _reluGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ReluGrad);
            _geluGrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.GeluGrad);
            _sgd = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(ElementwiseKernels.SgdUpdate);
        }

        public void Add(AcceleratorStream s, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy) => Binary(s, ElementwiseKernels.Add, a, sa, b, sb, y, sy);
        public void Sub(AcceleratorStream s, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy) => Binary(s, ElementwiseKernels.Sub, a, sa, b, sb, y, sy);
        public void Mul(AcceleratorStream s, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy) => Binary(s, ElementwiseKernels.Mul, a, sa, b, sb, y, sy);

        /// <summary>y = x summed over the axes along which a tensor of <paramref name="sy"/> was broadcast to <paramref name="sx"/>.</summary>
        public void SumTo(AcceleratorStream s, ArrayView<float> x, Shape sx, ArrayView<float> y, Shape sy) => _sumTo(s, Count(y), x, y, SumLayout.Of(sx, sy));

        public void Neg(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _neg(s, Count(y), x, y);
        public void Relu(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _relu(s, Count(y), x, y);
        public void ReluGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx) => _reluGrad(s, Count(dx), dy, y, dx);
        public void Gelu(AcceleratorStream s, ArrayView<float> x, ArrayView<float> y) => _gelu(s, Count(y), x, y);
        public void GeluGrad(AcceleratorStream s, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> dx) => _geluGrad(s, Count(dx), dy, x, dx);
        public void SgdUpdate(AcceleratorStream s, ArrayView<float> w, ArrayView<float> g, float lr) => _sgd(s, Count(w), w, g, lr);

        private void Binary(AcceleratorStream s, int op, ArrayView<float> a, Shape sa, ArrayView<float> b, Shape sb, ArrayView<float> y, Shape sy)
            => _binary(s, Count(y), a, b, y, BroadcastLayout.Of(sa, sb, sy), op);

        private static int Count(ArrayView<float> view)
            => view.Length <= int.MaxValue ? (int)view.Length : throw new NotSupportedException("A GPU tensor part holds at most 2³¹−1 elements.");
    }
}
