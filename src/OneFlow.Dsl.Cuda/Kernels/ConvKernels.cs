using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A convolution's sizes as a kernel reads them, by value.</summary>
    internal struct ConvSizes
    {
        public int C, H, W, KH, KW, OutH, OutW, Stride, Padding, GroupChannels, Unfolded, OutPixels, Pixels;

        public static ConvSizes Of(ConvGeometry g) => new ConvSizes
        {
            C = g.C, H = g.H, W = g.W, KH = g.KH, KW = g.KW, OutH = g.OutH, OutW = g.OutW, Stride = g.Stride, Padding = g.Padding,
            GroupChannels = g.GroupChannels, Unfolded = g.Unfolded, OutPixels = g.OutPixels, Pixels = g.Pixels,
        };
    }

    /// <summary>The convolutions as the CPU computes them: a slice of samples (one group) unfolded into the workspace
    /// at once, then a product per sample through the device's GEMM (cuBLAS on a GPU); dx folds the columns back by
    /// gathering, one thread per pixel, so no two threads write one place.</summary>
    internal static class ConvKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Conv2d, a => Load(a, Forward), g => Launches(Forward(g)));
            GpuKernels.Add(OpKind.Conv2dGradInput, a => Load(a, InputGradient), g => Launches(InputGradient(g)));
            GpuKernels.Add(OpKind.Conv2dGradWeight, a => Load(a, WeightGradient), g => Launches(WeightGradient(g)));
        }

        private static ConvGeometry Forward(Runtime.Kernels.OpGeometry g) => new ConvGeometry(g.Inputs[0], g.Inputs[1], Conv2dOp.Attributes(g.Op));
        private static ConvGeometry InputGradient(Runtime.Kernels.OpGeometry g) => Conv2dGradInputOp.Geometry(g.Op, g.Inputs[0], g.Inputs[1], g.Output);
        private static ConvGeometry WeightGradient(Runtime.Kernels.OpGeometry g) => Conv2dGradWeightOp.Geometry(g.Op, g.Inputs[0], g.Inputs[1], g.Output);

        /// <summary>A product per sample and group, and an unfold or fold per slice of samples and group.</summary>
        private static int Launches(ConvGeometry g) => g.N * g.Groups + (g.Pointwise ? 0 : (g.N + g.Slices - 1) / g.Slices * g.Groups);

        private sealed class Kernels
        {
            public System.Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvSizes> Unfold = null!, Fold = null!;
        }

        private static System.Action<GpuKernelContext> Load(Accelerator a, System.Func<Runtime.Kernels.OpGeometry, ConvGeometry> geometry)
        {
            var kernels = new Kernels
            {
                Unfold = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvSizes>(Unfold),
                Fold = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvSizes>(Fold),
            };
            return k => Run(k, geometry(k.Geometry), kernels);
        }

        private static void Run(GpuKernelContext k, ConvGeometry g, Kernels kernels)
        {
            var s = ConvSizes.Of(g);
            long sample = (long)g.C * g.Pixels, outSample = (long)g.O * g.OutPixels, columns = g.ColumnFloats;
            var kind = k.Op.Kind;
            for (int group = 0; group < g.Groups; group++)
            {
                long x0 = (long)group * g.GroupChannels * g.Pixels, y0 = (long)group * g.GroupOutputs * g.OutPixels;
                var w = (kind == OpKind.Conv2dGradWeight ? k.Out : k.In(1)).SubView((long)group * g.GroupOutputs * g.Unfolded, (long)g.GroupOutputs * g.Unfolded);
                for (int first = 0; first < g.N; first += g.Slices)
                {
                    int count = System.Math.Min(g.Slices, g.N - first);
                    // x (or dx) of this slice's samples from this group's first channel; its samples lie `sample` apart.
                    var images = (kind == OpKind.Conv2dGradInput ? k.Out : k.In(0)).SubView(first * sample + x0);
                    if (!g.Pointwise && kind != OpKind.Conv2dGradInput) kernels.Unfold(k.Stream, (int)(count * columns), images, k.Workspace, s);
                    for (int n = first; n < first + count; n++)
                    {
                        var cols = g.Pointwise ? images.SubView((n - first) * sample, (long)g.Unfolded * g.OutPixels) : k.Workspace.SubView((n - first) * columns, columns);
                        var maps = (kind == OpKind.Conv2dGradWeight ? k.In(1) : kind == OpKind.Conv2d ? k.Out : k.In(0)).SubView(n * outSample + y0, (long)g.GroupOutputs * g.OutPixels);
                        if (kind == OpKind.Conv2d)
                            k.Gemm.Run(k.Stream, false, false, g.GroupOutputs, g.OutPixels, g.Unfolded, w, g.Unfolded, cols, g.OutPixels, maps, g.OutPixels);
                        else if (kind == OpKind.Conv2dGradInput)
                            k.Gemm.Run(k.Stream, true, false, g.Unfolded, g.OutPixels, g.GroupOutputs, w, g.Unfolded, maps, g.OutPixels, cols, g.OutPixels);
                        else
                            k.Gemm.Run(k.Stream, false, true, g.GroupOutputs, g.Unfolded, g.OutPixels, maps, g.OutPixels, cols, g.OutPixels, w, g.Unfolded, accumulate: n > 0);
                    }
                    if (!g.Pointwise && kind == OpKind.Conv2dGradInput) kernels.Fold(k.Stream, count * g.GroupChannels * g.Pixels, k.Workspace, images, s);
                }
            }
        }

        /// <summary>cols[s, r, p] for sample s of the slice, row r = (c·kH + i)·kW + j, output pixel p: the input pixel
        /// the kernel offset (i, j) reads there, 0 in the padding.</summary>
        public static void Unfold(Index1D index, ArrayView<float> x, ArrayView<float> cols, ConvSizes s)
        {
            int p = index % s.OutPixels, r = index / s.OutPixels % s.Unfolded, sample = index / (s.OutPixels * s.Unfolded);
            int c = r / (s.KH * s.KW), i = r / s.KW % s.KH, j = r % s.KW;
            int ih = p / s.OutW * s.Stride - s.Padding + i, iw = p % s.OutW * s.Stride - s.Padding + j;
            cols[index] = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? x[(long)sample * s.C * s.Pixels + (c * s.H + ih) * s.W + iw] : 0f;
        }

        /// <summary>dx[s, c, h, w] = the sum of the column entries that read pixel (h, w) of channel c.</summary>
        public static void Fold(Index1D index, ArrayView<float> cols, ArrayView<float> dx, ConvSizes s)
        {
            int pixel = index % s.Pixels, c = index / s.Pixels % s.GroupChannels, sample = index / (s.Pixels * s.GroupChannels);
            int h = pixel / s.W, w = pixel % s.W;
            float sum = 0f;
            for (int i = 0; i < s.KH; i++)
            {
                int oh = h + s.Padding - i;
                if (oh < 0 || oh % s.Stride != 0 || oh / s.Stride >= s.OutH) continue;
                for (int j = 0; j < s.KW; j++)
                {
                    int ow = w + s.Padding - j;
                    if (ow < 0 || ow % s.Stride != 0 || ow / s.Stride >= s.OutW) continue;
                    sum += cols[((long)sample * s.Unfolded + (c * s.KH + i) * s.KW + j) * s.OutPixels + oh / s.Stride * s.OutW + ow / s.Stride];
                }
            }
            dx[(long)sample * s.C * s.Pixels + c * s.Pixels + pixel] = sum;
        }
    }
}
