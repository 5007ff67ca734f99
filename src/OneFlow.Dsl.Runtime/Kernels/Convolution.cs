using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The convolution kernels. Per sample and group, x is unfolded into columns (im2col) in the workspace
    /// and multiplied by the weight with the packed GEMM; dx is wᵀ·dy folded back onto the pixels (col2im); dw sums
    /// dy·colsᵀ over the samples. The samples are dealt out to the threads in slices, each slice with its own part of
    /// the workspace (and its own partial dw), so the threads share nothing they write.</summary>
    internal static unsafe class Convolution
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Conv2d, k => Acts(k).Run(k, Pass.Forward, new ConvGeometry(k.InShape(0), k.InShape(1), Conv2dOp.Attributes(k.Op))));
            CpuKernels.Add(OpKind.Conv2dGradInput, k => Acts(k).Run(k, Pass.Input, Conv2dGradInputOp.Geometry(k.Op, k.InShape(0), k.InShape(1), k.OutShape)));
            CpuKernels.Add(OpKind.Conv2dGradWeight, k => Acts(k).Run(k, Pass.Weight, Conv2dGradWeightOp.Geometry(k.Op, k.InShape(0), k.InShape(1), k.OutShape)));
        }

        private enum Pass { Forward, Input, Weight }

        private static Job Acts(CpuKernelContext k) => k.Cached(_ => new Job());

        /// <summary>One act's operands, in an object kept by the actor's context so that sharing the work allocates nothing.</summary>
        private sealed class Job : IChunkedJob
        {
            private Pass _pass;
            private ConvGeometry _g;
            private float* _a, _b, _out, _work;
            private int _gemmThreads;

            public void Run(CpuKernelContext k, Pass pass, ConvGeometry g)
            {
                _pass = pass; _g = g;
                _a = k.InPointer(0); _b = k.InPointer(1); _out = k.OutPointer; _work = k.Workspace;
                int slices = g.Slices;
                // With one sample at a time the threads split each product instead.
                _gemmThreads = slices == 1 ? k.Threads : 1;
                if (!WorkerPool.TryRun(this, slices, k.Threads))
                    for (int s = 0; s < slices; s++) RunChunk(s, slices);
                if (pass == Pass.Weight && slices > 1) SumPartials(slices);
            }

            public void RunChunk(int slice, int slices)
            {
                float* cols = _work + slice * _g.ColumnFloats;
                for (int n = slice; n < _g.N; n += slices)
                    for (int group = 0; group < _g.Groups; group++)
                    {
                        if (_pass == Pass.Forward) Forward(n, group, cols);
                        else if (_pass == Pass.Input) InputGradient(n, group, cols);
                        else WeightGradient(n, group, cols, first: n == slice, Partial(slice, slices));
                    }
            }

            private float* X(float* x, int n, int group) => x + ((long)n * _g.C + group * _g.GroupChannels) * _g.Pixels;
            private float* Y(float* y, int n, int group) => y + ((long)n * _g.O + group * _g.GroupOutputs) * _g.OutPixels;
            private float* Wg(float* w, int group) => w + (long)group * _g.GroupOutputs * _g.Unfolded;

            /// <summary>y_g = w_g · cols.</summary>
            private void Forward(int n, int group, float* cols)
            {
                float* x = X(_a, n, group);
                float* b = _g.Pointwise ? x : Unfold(_g, x, cols);
                Gemm.Sgemm(false, false, _g.GroupOutputs, _g.OutPixels, _g.Unfolded, Wg(_b, group), _g.Unfolded, b, _g.OutPixels,
                    Y(_out, n, group), _g.OutPixels, accumulate: false, _gemmThreads);
            }

            /// <summary>dx_g = fold(w_gᵀ · dy_g).</summary>
            private void InputGradient(int n, int group, float* cols)
            {
                float* dx = X(_out, n, group);
                float* target = _g.Pointwise ? dx : cols;
                Gemm.Sgemm(true, false, _g.Unfolded, _g.OutPixels, _g.GroupOutputs, Wg(_b, group), _g.Unfolded, Y(_a, n, group), _g.OutPixels,
                    target, _g.OutPixels, accumulate: false, _gemmThreads);
                if (!_g.Pointwise) Fold(_g, cols, dx);
            }

            /// <summary>dw_g (+)= dy_g · colsᵀ, into this slice's partial sum.</summary>
            private void WeightGradient(int n, int group, float* cols, bool first, float* dw)
            {
                float* x = X(_a, n, group);
                float* b = _g.Pointwise ? x : Unfold(_g, x, cols);
                Gemm.Sgemm(false, true, _g.GroupOutputs, _g.Unfolded, _g.OutPixels, Y(_b, n, group), _g.OutPixels, b, _g.OutPixels,
                    Wg(dw, group), _g.Unfolded, accumulate: !first, _gemmThreads);
            }

            private float* Partial(int slice, int slices)
                => slices == 1 ? _out : _work + slices * _g.ColumnFloats + slice * (long)_g.O * _g.Unfolded;

            private void SumPartials(int slices)
            {
                int length = _g.O * _g.Unfolded;
                var dw = new Span<float>(_out, length);
                new ReadOnlySpan<float>(Partial(0, slices), length).CopyTo(dw);
                for (int s = 1; s < slices; s++) TensorPrimitives.Add(dw, new ReadOnlySpan<float>(Partial(s, slices), length), dw);
            }
        }

        /// <summary>cols[(c·kH + i)·kW + j, oh·W' + ow] = x[c, oh·stride − pad + i, ow·stride − pad + j], 0 outside x.</summary>
        public static float* Unfold(ConvGeometry g, float* x, float* cols)
        {
            float* row = cols;
            for (int c = 0; c < g.GroupChannels; c++)
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++, row += g.OutPixels)
                    {
                        var (first, last) = Inside(g, j);
                        for (int oh = 0; oh < g.OutH; oh++)
                        {
                            float* dst = row + oh * g.OutW;
                            int ih = oh * g.Stride - g.Padding + i;
                            if (ih < 0 || ih >= g.H || first >= last)
                            {
                                new Span<float>(dst, g.OutW).Clear();
                                continue;
                            }
                            float* src = x + ((long)c * g.H + ih) * g.W - g.Padding + j;
                            for (int ow = 0; ow < first; ow++) dst[ow] = 0;
                            if (g.Stride == 1) new ReadOnlySpan<float>(src + first, last - first).CopyTo(new Span<float>(dst + first, last - first));
                            else for (int ow = first; ow < last; ow++) dst[ow] = src[ow * g.Stride];
                            for (int ow = last; ow < g.OutW; ow++) dst[ow] = 0;
                        }
                    }
            return cols;
        }

        /// <summary>The adjoint of <see cref="Unfold"/>: dx = 0, then every column entry added back to its pixel.</summary>
        public static void Fold(ConvGeometry g, float* cols, float* dx)
        {
            new Span<float>(dx, g.GroupChannels * g.Pixels).Clear();
            float* row = cols;
            for (int c = 0; c < g.GroupChannels; c++)
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++, row += g.OutPixels)
                    {
                        var (first, last) = Inside(g, j);
                        if (first >= last) continue;
                        for (int oh = 0; oh < g.OutH; oh++)
                        {
                            int ih = oh * g.Stride - g.Padding + i;
                            if (ih < 0 || ih >= g.H) continue;
                            float* src = row + oh * g.OutW;
                            float* dst = dx + ((long)c * g.H + ih) * g.W - g.Padding + j;
                            if (g.Stride == 1)
                            {
                                var sum = new Span<float>(dst + first, last - first);
                                TensorPrimitives.Add(sum, new ReadOnlySpan<float>(src + first, last - first), sum);
                            }
                            else for (int ow = first; ow < last; ow++) dst[ow * g.Stride] += src[ow];
                        }
                    }
        }

        /// <summary>The output columns [first, last) whose input column ow·stride − pad + j lies inside x.</summary>
        private static (int First, int Last) Inside(ConvGeometry g, int j)
        {
            int offset = j - g.Padding;
            int first = offset >= 0 ? 0 : (-offset + g.Stride - 1) / g.Stride;
            int last = g.W - offset <= 0 ? 0 : Math.Min(g.OutW, (g.W - offset - 1) / g.Stride + 1);
            return (Math.Min(first, g.OutW), last);
        }
    }
}
