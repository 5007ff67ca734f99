using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A convolution's sizes as a kernel reads them, by value.</summary>
    internal struct ConvSizes
    {
        public int C, H, W, KH, KW, OutH, OutW, Stride, Padding, Dilation, GroupChannels, Unfolded, OutPixels, Pixels;

        public static ConvSizes Of(ConvGeometry g) => new ConvSizes
        {
            C = g.C, H = g.H, W = g.W, KH = g.KH, KW = g.KW, OutH = g.OutH, OutW = g.OutW, Stride = g.Stride, Padding = g.Padding, Dilation = g.Dilation,
            GroupChannels = g.GroupChannels, Unfolded = g.Unfolded, OutPixels = g.OutPixels, Pixels = g.Pixels,
        };
    }

    /// <summary>The convolutions as the CPU computes them: a tile of output pixels of a slice of samples (one group)
    /// unfolded into the workspace at once, then a product per sample through the device's GEMM (cuBLAS on a GPU); dx
    /// gathers each tile's columns back, one thread per pixel, so no two threads write one place.</summary>
    internal static class ConvolutionKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Conv2d, a => Load(a, Forward), g => Launches(Forward(g), batched: true) + Biased(g));
            GpuKernels.Add(OpKind.Conv2dGradInput, a => Load(a, InputGradient), g => Launches(InputGradient(g), batched: true) + (InputGradient(g).Pointwise ? 0 : 1));
            GpuKernels.Add(OpKind.ConvTranspose2d, a => Load(a, Transposed), g => Launches(Transposed(g), batched: true) + (Transposed(g).Pointwise ? 0 : 1) + Biased(g));
            GpuKernels.Add(OpKind.Conv2dGradWeight, a => Load(a, WeightGradient), g => Launches(WeightGradient(g), batched: false));
        }

        private static ConvGeometry Forward(Runtime.Kernels.OpGeometry g) => new ConvGeometry(g.Inputs[0], g.Inputs[1], Conv2dOp.Attributes(g.Op));
        private static ConvGeometry InputGradient(Runtime.Kernels.OpGeometry g) => Conv2dGradInputOp.Geometry(g.Op, g.Inputs[0], g.Inputs[1], g.Output);
        private static ConvGeometry WeightGradient(Runtime.Kernels.OpGeometry g) => Conv2dGradWeightOp.Geometry(g.Op, g.Inputs[0], g.Inputs[1], g.Output);
        private static ConvGeometry Transposed(Runtime.Kernels.OpGeometry g) => ConvTranspose2dOp.Geometry(g.Op, g.Inputs[1], g.Output);

        /// <summary>The launch that adds a bias, where there is one.</summary>
        private static int Biased(Runtime.Kernels.OpGeometry g) => g.Inputs.Length == 3 ? 1 : 0;

        /// <summary>Output pixels unfolded at a time: the plan's budget of whole rows.</summary>
        private static int Tile(ConvGeometry g) => g.BudgetRows * g.OutW;

        /// <summary>Per group, tile and slice of samples: an unfold or fold, and the slice's products, one strided-batched
        /// call where each sample's product is its own (y, dx), one per sample where they sum into one (dw).</summary>
        private static int Launches(ConvGeometry g, bool batched)
        {
            int tiles = (g.OutPixels + Tile(g) - 1) / Tile(g), slices = (g.N + g.Slices - 1) / g.Slices, products = batched ? slices : g.N;
            return g.Pointwise ? products * g.Groups : g.Groups * tiles * (slices + products);
        }

        private sealed class Kernels
        {
            public System.Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvSizes, TileSizes> Unfold = null!, Fold = null!;
            public System.Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> AddBias = null!;
        }

        /// <summary>A tile of output pixels [First, First + Count).</summary>
        internal struct TileSizes
        {
            public int First, Count;
        }

        private static System.Action<GpuKernelContext> Load(Accelerator a, System.Func<Runtime.Kernels.OpGeometry, ConvGeometry> geometry)
        {
            var kernels = new Kernels
            {
                Unfold = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvSizes, TileSizes>(Unfold),
                Fold = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvSizes, TileSizes>(Fold),
                AddBias = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(AddBias),
            };
            return k =>
            {
                Run(k, geometry(k.Geometry), kernels);
                if (k.Geometry.Inputs.Length == 3) kernels.AddBias(k.Stream, k.Threads, k.Out, k.In(2), k.OutShape[2] * k.OutShape[3], k.OutShape[1]);
            };
        }

        private static void Run(GpuKernelContext k, ConvGeometry g, Kernels kernels)
        {
            var s = ConvSizes.Of(g);
            var kind = k.Op.Kind;
            long sample = (long)g.C * g.Pixels, outSample = (long)g.O * g.OutPixels;
            bool folds = kind == OpKind.Conv2dGradInput || kind == OpKind.ConvTranspose2d;
            if (folds && !g.Pointwise) k.Out.MemSetToZero(k.Stream);
            for (int group = 0; group < g.Groups; group++)
            {
                long x0 = (long)group * g.GroupChannels * g.Pixels, y0 = (long)group * g.GroupOutputs * g.OutPixels;
                var w = (kind == OpKind.Conv2dGradWeight ? k.Out : k.In(1)).SubView((long)group * g.GroupOutputs * g.Unfolded, (long)g.GroupOutputs * g.Unfolded);
                for (int first = 0; first < g.N; first += g.Slices)
                {
                    int count = System.Math.Min(g.Slices, g.N - first);
                    // x (or dx) of this slice's samples from this group's first channel; its samples lie `sample` apart.
                    var images = (folds ? k.Out : k.In(0)).SubView(first * sample + x0);
                    if (g.Pointwise)
                    {
                        Products(k, g, kind, w, images, sample, Maps(k, kind, first * outSample + y0), outSample, g.OutPixels, count, first);
                        continue;
                    }
                    for (int p = 0; p < g.OutPixels; p += Tile(g))
                    {
                        var tile = new TileSizes { First = p, Count = System.Math.Min(Tile(g), g.OutPixels - p) };
                        long columns = (long)g.Unfolded * tile.Count;
                        if (!folds) kernels.Unfold(k.Stream, (int)(count * columns), images, k.Workspace, s, tile);
                        Products(k, g, kind, w, k.Workspace, columns, Maps(k, kind, first * outSample + y0 + p), outSample, tile.Count, count, first == 0 && p == 0 ? 0 : 1);
                        if (folds) kernels.Fold(k.Stream, count * g.GroupChannels * g.Pixels, k.Workspace, images, s, tile);
                    }
                }
            }
        }

        /// <summary>y, dy of sample n's group from <paramref name="at"/>: the output for the forward pass, an operand otherwise.</summary>
        private static ArrayView<float> Maps(GpuKernelContext k, OpKind kind, long at)
            => (kind == OpKind.Conv2dGradWeight ? k.In(1) : kind == OpKind.Conv2d ? k.Out : k.In(0)).SubView(at);

        /// <summary>The products of <paramref name="samples"/> samples over <paramref name="pixels"/> pixels, each sample's
        /// columns <paramref name="colStride"/> and maps (y, dy) <paramref name="mapStride"/> after the last's: y = w·cols
        /// and cols = wᵀ·dy as one strided-batched call (w shared: stride 0); dw (+)= dy·colsᵀ a call per sample, since
        /// they sum into one dw (accumulating from the second product on). The maps' rows are g.OutPixels long.</summary>
        private static void Products(GpuKernelContext k, ConvGeometry g, OpKind kind, ArrayView<float> w, ArrayView<float> cols, long colStride,
            ArrayView<float> maps, long mapStride, int pixels, int samples, int later)
        {
            int stride = g.OutPixels;
            if (kind == OpKind.Conv2d)
                k.Gemm.RunBatched(k.Stream, false, false, g.GroupOutputs, pixels, g.Unfolded, w, g.Unfolded, 0, cols, pixels, colStride, maps, stride, mapStride, samples);
            else if (kind == OpKind.Conv2dGradInput || kind == OpKind.ConvTranspose2d)
                k.Gemm.RunBatched(k.Stream, true, false, g.Unfolded, pixels, g.GroupOutputs, w, g.Unfolded, 0, maps, stride, mapStride, cols, pixels, colStride, samples);
            else
                for (int s = 0; s < samples; s++)
                    k.Gemm.Run(k.Stream, false, true, g.GroupOutputs, g.Unfolded, pixels, maps.SubView(s * mapStride), stride, cols.SubView(s * colStride), pixels,
                        w, g.Unfolded, accumulate: later > 0 || s > 0);
        }

        /// <summary>y[n, o, p] += b[o].</summary>
        public static void AddBias(Index1D i, ArrayView<float> y, ArrayView<float> b, int pixels, int channels) => y[i] += b[i / pixels % channels];

        /// <summary>cols[s, r, q] for sample s of the slice, row r = (c·kH + i)·kW + j, pixel q of the tile: the input
        /// pixel the kernel offset (i, j) reads there, 0 in the padding.</summary>
        public static void Unfold(Index1D index, ArrayView<float> x, ArrayView<float> cols, ConvSizes s, TileSizes t)
        {
            int q = index % t.Count, r = index / t.Count % s.Unfolded, sample = index / (t.Count * s.Unfolded);
            int p = t.First + q, c = r / (s.KH * s.KW), i = r / s.KW % s.KH, j = r % s.KW;
            int ih = p / s.OutW * s.Stride - s.Padding + i * s.Dilation, iw = p % s.OutW * s.Stride - s.Padding + j * s.Dilation;
            cols[index] = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? x[(long)sample * s.C * s.Pixels + (c * s.H + ih) * s.W + iw] : 0f;
        }

        /// <summary>dx[s, c, h, w] += the tile's column entries that read pixel (h, w) of channel c.</summary>
        public static void Fold(Index1D index, ArrayView<float> cols, ArrayView<float> dx, ConvSizes s, TileSizes t)
        {
            int pixel = index % s.Pixels, c = index / s.Pixels % s.GroupChannels, sample = index / (s.Pixels * s.GroupChannels);
            int h = pixel / s.W, w = pixel % s.W;
            float sum = 0f;
            for (int i = 0; i < s.KH; i++)
            {
                int oh = h + s.Padding - i * s.Dilation;
                if (oh < 0 || oh % s.Stride != 0 || oh / s.Stride >= s.OutH) continue;
                for (int j = 0; j < s.KW; j++)
                {
                    int ow = w + s.Padding - j * s.Dilation;
                    if (ow < 0 || ow % s.Stride != 0 || ow / s.Stride >= s.OutW) continue;
                    int q = oh / s.Stride * s.OutW + ow / s.Stride - t.First;
                    if (q < 0 || q >= t.Count) continue;
                    sum += cols[((long)sample * s.Unfolded + (c * s.KH + i) * s.KW + j) * t.Count + q];
                }
            }
            dx[(long)sample * s.C * s.Pixels + c * s.Pixels + pixel] += sum;
        }
    }
}
