using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The convolution kernels. Per sample and group, x is unfolded into columns (im2col) a tile of output rows
    /// at a time, in the workspace, and multiplied by the weight with the packed GEMM while the tile is still in cache;
    /// dx is wᵀ·dy folded back onto the pixels tile by tile (col2im); dw sums dy·colsᵀ over tiles and samples. The
    /// samples are dealt out to the threads in slices, each slice with its own part of the workspace (and its own
    /// partial dw), so the threads share nothing they write.</summary>
    internal static unsafe class Convolution
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Conv2d, k =>
            {
                Acts(k).Run(k, Pass.Forward, new ConvGeometry(k.InShape(0), k.InShape(1), Conv2dOp.Attributes(k.Op)));
                AddBias(k);
            });
            CpuKernels.Add(OpKind.ConvTranspose2d, k =>
            {
                Acts(k).Run(k, Pass.Input, ConvTranspose2dOp.Geometry(k.Op, k.InShape(1), k.OutShape));
                AddBias(k);
            });
            CpuKernels.Add(OpKind.Conv2dGradInput, k => Acts(k).Run(k, Pass.Input, Conv2dGradInputOp.Geometry(k.Op, k.InShape(0), k.InShape(1), k.OutShape)));
            CpuKernels.Add(OpKind.Conv2dGradWeight, k => Acts(k).Run(k, Pass.Weight, Conv2dGradWeightOp.Geometry(k.Op, k.InShape(0), k.InShape(1), k.OutShape)));
        }

        private enum Pass { Forward, Input, Weight }

        /// <summary>y[n, o] += b[o] for a convolution given a bias (its third operand).</summary>
        private static void AddBias(CpuKernelContext k)
        {
            if (k.Geometry.Inputs.Length < 3) return;
            var y = k.Out;
            var b = k.In(2);
            int pixels = k.OutShape[2] * k.OutShape[3];
            for (int plane = 0; plane < y.Length / pixels; plane++)
            {
                var p = y.Slice(plane * pixels, pixels);
                TensorPrimitives.Add(p, b[plane % b.Length], p);
            }
        }

        private static Job Acts(CpuKernelContext k) => k.Cached(_ => new Job());

        /// <summary>One act's operands, in an object kept by the actor's context so that sharing the work allocates nothing.</summary>
        private sealed class Job : IChunkedJob
        {
            private Pass _pass;
            private ConvGeometry _g;
            private float* _a, _b, _out, _work;
            private int _gemmThreads;
            /// <summary>Output pixels unfolded at a time (<see cref="TileRows"/> whole rows).</summary>
            private int _tile;
            /// <summary>For a convolution without unfolding: where each row of the columns starts in the bordered copy.</summary>
            private int[]? _offsets;

            public void Run(CpuKernelContext k, Pass pass, ConvGeometry g)
            {
                _pass = pass; _g = g; _tile = TileRows(g) * g.OutW;
                _a = k.InPointer(0); _b = k.InPointer(1); _out = k.OutPointer; _work = k.Workspace;
                int slices = g.Slices;
                // With one sample at a time the threads split each product instead.
                _gemmThreads = slices == 1 ? k.Threads : 1;
                if (Implicit) PackWeight();
                if (ImplicitWeight) _offsets ??= ImplicitConvolution.RowOffsets(g, g.GroupChannels);
                if (!WorkerPool.TryRun(this, slices, k.Threads))
                    for (int s = 0; s < slices; s++) RunChunk(s, slices);
                if (ImplicitWeight) SumTransposed(slices);
                else if (pass == Pass.Weight && slices > 1) SumPartials(slices);
            }

            /// <summary>dw of a same-size convolution from a bordered copy of x (see <see cref="ImplicitConvolution"/>).</summary>
            private bool ImplicitWeight => _pass == Pass.Weight && ImplicitConvolution.AppliesToWeight(_g);

            /// <summary>y and dx of a same-size convolution are computed from a bordered copy of x or dy (see <see cref="ImplicitConvolution"/>).</summary>
            private bool Implicit => _pass != Pass.Weight && ImplicitConvolution.Applies(_g, _pass == Pass.Forward ? _g.GroupOutputs : _g.GroupChannels);

            /// <summary>The weight of every group packed for the product, after the slices' bordered copies.</summary>
            private float* Packed(int group) => _work + _g.Slices * _g.PaddedFloats + (long)group * _g.GroupOutputs * _g.Unfolded;

            private void PackWeight()
            {
                _offsets ??= ImplicitConvolution.RowOffsets(_g, _pass == Pass.Forward ? _g.GroupChannels : _g.GroupOutputs);
                for (int group = 0; group < _g.Groups; group++)
                {
                    if (_pass == Pass.Forward) ImplicitConvolution.PackRows(Wg(_b, group), _g.GroupOutputs, _g.Unfolded, Packed(group));
                    else ImplicitConvolution.PackFlipped(_g, Wg(_b, group), Packed(group));
                }
            }

            public void RunChunk(int slice, int slices)
            {
                if (Implicit || ImplicitWeight)
                {
                    fixed (int* offsets = _offsets)
                    {
                        if (Implicit) RunImplicit(slice, slices, offsets);
                        else RunImplicitWeight(slice, slices, offsets);
                    }
                    return;
                }
                float* cols = _work + slice * _g.ColumnFloats;
                for (int n = slice; n < _g.N; n += slices)
                    for (int group = 0; group < _g.Groups; group++)
                    {
                        if (_pass == Pass.Forward) Forward(n, group, cols);
                        else if (_pass == Pass.Input) InputGradient(n, group, cols);
                        else WeightGradient(n, group, cols, first: n == slice, Partial(slice, slices));
                    }
            }

            /// <summary>y_g = w_g ⋆ x_g, or dx_g = flipped w_g ⋆ dy_g, sample by sample from a bordered copy.</summary>
            private void RunImplicit(int slice, int slices, int* offsets)
            {
                float* padded = _work + slice * _g.PaddedFloats;
                bool forward = _pass == Pass.Forward;
                int inputs = forward ? _g.GroupChannels : _g.GroupOutputs, rows = forward ? _g.GroupOutputs : _g.GroupChannels;
                for (int n = slice; n < _g.N; n += slices)
                    for (int group = 0; group < _g.Groups; group++)
                    {
                        ImplicitConvolution.Pad(_g, forward ? X(_a, n, group) : Y(_a, n, group), inputs, padded);
                        ImplicitConvolution.Multiply(_g, Packed(group), rows, offsets, _offsets!.Length, padded, forward ? Y(_out, n, group) : X(_out, n, group));
                    }
            }

            private float* X(float* x, int n, int group) => x + ((long)n * _g.C + group * _g.GroupChannels) * _g.Pixels;
            private float* Y(float* y, int n, int group) => y + ((long)n * _g.O + group * _g.GroupOutputs) * _g.OutPixels;
            private float* Wg(float* w, int group) => w + (long)group * _g.GroupOutputs * _g.Unfolded;

            /// <summary>This slice's dwᵀ of every group, Σ over its samples, from bordered copies of x and dy transposed.</summary>
            private void RunImplicitWeight(int slice, int slices, int* offsets)
            {
                float* padded = _work + slice * _g.ImplicitWeightSlice, transposed = padded + _g.PaddedFloats, partial = transposed + (long)_g.OutPixels * _g.GroupOutputs;
                for (int n = slice; n < _g.N; n += slices)
                    for (int group = 0; group < _g.Groups; group++)
                    {
                        ImplicitConvolution.Pad(_g, X(_a, n, group), _g.GroupChannels, padded);
                        ImplicitConvolution.Transpose(Y(_b, n, group), _g.GroupOutputs, _g.OutPixels, transposed);
                        ImplicitConvolution.WeightGradient(_g, padded, offsets, _g.Unfolded, transposed, _g.GroupOutputs,
                            partial + (long)group * _g.Unfolded * _g.GroupOutputs, accumulate: n != slice);
                    }
            }

            /// <summary>dw_g[o, r] = Σ over the slices of their dwᵀ_g[r, o].</summary>
            private void SumTransposed(int slices)
            {
                int u = _g.Unfolded, og = _g.GroupOutputs;
                for (int group = 0; group < _g.Groups; group++)
                {
                    float* dw = Wg(_out, group);
                    for (int s = 0; s < slices; s++)
                    {
                        float* part = _work + s * _g.ImplicitWeightSlice + _g.PaddedFloats + (long)_g.OutPixels * og + (long)group * u * og;
                        for (int o = 0; o < og; o++)
                            for (int r = 0; r < u; r++) dw[(long)o * u + r] = (s == 0 ? 0 : dw[(long)o * u + r]) + part[(long)r * og + o];
                    }
                }
            }

            /// <summary>y_g = w_g · cols, a tile of output pixels at a time.</summary>
            private void Forward(int n, int group, float* cols)
            {
                float* x = X(_a, n, group), y = Y(_out, n, group), w = Wg(_b, group);
                if (_g.Pointwise)
                {
                    Gemm.Sgemm(false, false, _g.GroupOutputs, _g.OutPixels, _g.Unfolded, w, _g.Unfolded, x, _g.Pixels, y, _g.OutPixels, accumulate: false, _gemmThreads);
                    return;
                }
                for (int p = 0; p < _g.OutPixels; p += _tile)
                {
                    int t = Math.Min(_tile, _g.OutPixels - p);
                    Unfold(_g, x, cols, p, t);
                    Gemm.Sgemm(false, false, _g.GroupOutputs, t, _g.Unfolded, w, _g.Unfolded, cols, t, y + p, _g.OutPixels, accumulate: false, _gemmThreads);
                }
            }

            /// <summary>dx_g = fold(w_gᵀ · dy_g), a tile of output pixels at a time.</summary>
            private void InputGradient(int n, int group, float* cols)
            {
                float* dx = X(_out, n, group), dy = Y(_a, n, group), w = Wg(_b, group);
                if (_g.Pointwise)
                {
                    Gemm.Sgemm(true, false, _g.Unfolded, _g.OutPixels, _g.GroupOutputs, w, _g.Unfolded, dy, _g.OutPixels, dx, _g.Pixels, accumulate: false, _gemmThreads);
                    return;
                }
                new Span<float>(dx, _g.GroupChannels * _g.Pixels).Clear();
                for (int p = 0; p < _g.OutPixels; p += _tile)
                {
                    int t = Math.Min(_tile, _g.OutPixels - p);
                    Gemm.Sgemm(true, false, _g.Unfolded, t, _g.GroupOutputs, w, _g.Unfolded, dy + p, _g.OutPixels, cols, t, accumulate: false, _gemmThreads);
                    Fold(_g, cols, dx, p, t);
                }
            }

            /// <summary>dw_g (+)= dy_g · colsᵀ, tile by tile, into this slice's partial sum.</summary>
            private void WeightGradient(int n, int group, float* cols, bool first, float* dw)
            {
                float* x = X(_a, n, group), dy = Y(_b, n, group), target = Wg(dw, group);
                if (_g.Pointwise)
                {
                    Gemm.Sgemm(false, true, _g.GroupOutputs, _g.Unfolded, _g.OutPixels, dy, _g.OutPixels, x, _g.Pixels, target, _g.Unfolded, accumulate: !first, _gemmThreads);
                    return;
                }
                for (int p = 0; p < _g.OutPixels; p += _tile)
                {
                    int t = Math.Min(_tile, _g.OutPixels - p);
                    Unfold(_g, x, cols, p, t);
                    Gemm.Sgemm(false, true, _g.GroupOutputs, _g.Unfolded, t, dy + p, _g.OutPixels, cols, t, target, _g.Unfolded, accumulate: !first || p > 0, _gemmThreads);
                }
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

        /// <summary>Output rows unfolded at a time: the plan's budget of rows (<see cref="ConvGeometry.BudgetRows"/>), and
        /// where rows are narrower than 32 pixels and do not all fit, a multiple of what fills 32 columns (the packed
        /// GEMM's register tile).</summary>
        public static int TileRows(ConvGeometry g)
        {
            int rows = g.BudgetRows, fill = g.OutW < 32 && 32 % g.OutW == 0 ? 32 / g.OutW : 1;
            return rows == g.OutH || rows < fill ? rows : rows / fill * fill;
        }

        /// <summary>Output pixels [<paramref name="first"/>, + <paramref name="count"/>) (whole output rows) of the
        /// columns: cols[(c·kH + i)·kW + j, p − first] = x[c, oh·stride − pad + i·dilation, ow·stride − pad + j·dilation] at p = (oh, ow),
        /// 0 outside x.</summary>
        public static void Unfold(ConvGeometry g, float* x, float* cols, int first, int count)
        {
            float* row = cols;
            for (int c = 0; c < g.GroupChannels; c++)
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++, row += count)
                    {
                        float* plane = x + (long)c * g.Pixels;
                        if (SameSize(g)) UnfoldShifted(g, plane, row, i, j, first, count);
                        else UnfoldRows(g, plane, row, i, j, first / g.OutW, count / g.OutW);
                    }
        }

        /// <summary>The adjoint of <see cref="Unfold"/> for the same pixels: every column entry added to its pixel of dx.</summary>
        public static void Fold(ConvGeometry g, float* cols, float* dx, int first, int count)
        {
            float* row = cols;
            for (int c = 0; c < g.GroupChannels; c++)
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++, row += count)
                    {
                        float* plane = dx + (long)c * g.Pixels;
                        if (SameSize(g)) FoldShifted(g, row, plane, i, j, first, count);
                        else FoldRows(g, row, plane, i, j, first / g.OutW, count / g.OutW);
                    }
        }

        /// <summary>A stride-1 convolution whose output has the input's size (a 3×3 with padding 1): each row of the
        /// columns is the input plane shifted by a constant offset, so it moves as one block rather than row by row.</summary>
        private static bool SameSize(ConvGeometry g) => g.Stride == 1 && g.OutH == g.H && g.OutW == g.W;

        /// <summary>Kernel offset (i, j) reads x shifted by d = (i·dilation − pad)·W + (j·dilation − pad): one copy of the tile's run of
        /// the plane, the pixels the shift moves off the plane cleared, and those that wrapped into the next row zeroed.</summary>
        private static void UnfoldShifted(ConvGeometry g, float* plane, float* row, int i, int j, int first, int count)
        {
            var (from, to, d) = Inside(g, i, j, first, count);
            new Span<float>(row, from - first).Clear();
            new ReadOnlySpan<float>(plane + from + d, to - from).CopyTo(new Span<float>(row + from - first, to - from));
            new Span<float>(row + to - first, first + count - to).Clear();
            ClearWrapped(g, j, row, count);
        }

        /// <summary>The adjoint of <see cref="UnfoldShifted"/>: the wrapped entries (padding) zeroed, then the run added
        /// to its shifted place in the plane.</summary>
        private static void FoldShifted(ConvGeometry g, float* row, float* plane, int i, int j, int first, int count)
        {
            var (from, to, d) = Inside(g, i, j, first, count);
            ClearWrapped(g, j, row, count);
            var sum = new Span<float>(plane + from + d, to - from);
            TensorPrimitives.Add(sum, new ReadOnlySpan<float>(row + from - first, to - from), sum);
        }

        /// <summary>For kernel offset (i, j) and output pixels [first, first + count): the pixels [from, to) whose
        /// shifted input pixel lies in the plane (rows the shift moves off it excluded), and the shift d.</summary>
        private static (int From, int To, int D) Inside(ConvGeometry g, int i, int j, int first, int count)
        {
            int di = g.Tap(i), dj = g.Tap(j), d = di * g.W + dj;
            int from = Math.Min(first + count, Math.Max(Math.Max(first, Math.Max(0, -di) * g.W), -d));
            int to = Math.Min(Math.Min(first + count, Math.Min(g.H, g.H - di) * g.W), g.Pixels - d);
            return (from, Math.Max(from, to), d);
        }

        /// <summary>Zeroes the columns whose input column, shifted by j·dilation − pad, falls off the row's edge.</summary>
        private static void ClearWrapped(ConvGeometry g, int j, float* row, int count)
        {
            int dj = g.Tap(j);
            if (dj == 0) return;
            int from = dj < 0 ? 0 : Math.Max(0, g.W - dj), to = dj < 0 ? Math.Min(g.W, -dj) : g.W;
            for (int p = 0; p < count; p += g.W)
                for (int ow = from; ow < to; ow++) row[p + ow] = 0;
        }

        /// <summary>Any stride and padding: output rows [firstRow, + rows), a run of pixels per row.</summary>
        private static void UnfoldRows(ConvGeometry g, float* plane, float* row, int i, int j, int firstRow, int rows)
        {
            var (first, last) = InsideRow(g, j);
            for (int r = 0; r < rows; r++)
            {
                float* dst = row + r * g.OutW;
                int ih = (firstRow + r) * g.Stride + g.Tap(i);
                if (ih < 0 || ih >= g.H || first >= last)
                {
                    new Span<float>(dst, g.OutW).Clear();
                    continue;
                }
                float* src = plane + (long)ih * g.W + g.Tap(j);
                for (int ow = 0; ow < first; ow++) dst[ow] = 0;
                if (g.Stride == 1) new ReadOnlySpan<float>(src + first, last - first).CopyTo(new Span<float>(dst + first, last - first));
                else for (int ow = first; ow < last; ow++) dst[ow] = src[ow * g.Stride];
                for (int ow = last; ow < g.OutW; ow++) dst[ow] = 0;
            }
        }

        private static void FoldRows(ConvGeometry g, float* row, float* plane, int i, int j, int firstRow, int rows)
        {
            var (first, last) = InsideRow(g, j);
            if (first >= last) return;
            for (int r = 0; r < rows; r++)
            {
                int ih = (firstRow + r) * g.Stride + g.Tap(i);
                if (ih < 0 || ih >= g.H) continue;
                float* src = row + r * g.OutW;
                float* dst = plane + (long)ih * g.W + g.Tap(j);
                if (g.Stride == 1)
                {
                    var sum = new Span<float>(dst + first, last - first);
                    TensorPrimitives.Add(sum, new ReadOnlySpan<float>(src + first, last - first), sum);
                }
                else for (int ow = first; ow < last; ow++) dst[ow * g.Stride] += src[ow];
            }
        }

        /// <summary>The output columns [first, last) whose input column ow·stride − pad + j·dilation lies inside x.</summary>
        private static (int First, int Last) InsideRow(ConvGeometry g, int j)
        {
            int offset = g.Tap(j);
            int first = offset >= 0 ? 0 : (-offset + g.Stride - 1) / g.Stride;
            int last = g.W - offset <= 0 ? 0 : Math.Min(g.OutW, (g.W - offset - 1) / g.Stride + 1);
            return (Math.Min(first, g.OutW), last);
        }
    }
}
