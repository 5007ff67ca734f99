using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>A same-size stride-1 convolution (3×3 with padding 1 and the like) without unfolding: the input is
    /// copied once into a zero-bordered plane, and the GEMM micro-kernel reads each row of the would-be columns straight
    /// from it: row (c, i, j) of a 32-pixel tile starts at a fixed offset from the tile's corner. Unfolding writes and
    /// reads nine times the input; this reads the padded input from cache. dx is the same computation on dy with the
    /// kernel flipped and its axes swapped. Needs AVX-512 (the 8×32 register tile) and output rows of 16 or a multiple
    /// of 32 pixels, so that a tile is one row or two whole rows.</summary>
    internal static unsafe class ImplicitConvolution
    {
        private const int MR = 8, NR = 32;

        /// <summary>Whether <paramref name="g"/> runs here, the product having <paramref name="outputs"/> rows (y's
        /// channels, or dx's). Square padding (kH = 2·pad + 1) keeps the flipped kernel of dx's product same-size too.</summary>
        public static bool Applies(ConvGeometry g, int outputs)
            => Avx512F.IsSupported && g.SameSize && g.Dilation == 1 && g.KH == 2 * g.Padding + 1 && g.KW == 2 * g.Padding + 1
               && (g.OutW == 16 || g.OutW % NR == 0) && outputs % MR == 0;

        /// <summary>Where row (c, i, j) of the columns starts in the padded plane, relative to a tile's corner.</summary>
        public static int[] RowOffsets(ConvGeometry g, int channels)
        {
            int hp = g.H + 2 * g.Padding, wp = g.W + 2 * g.Padding;
            var offsets = new int[channels * g.KH * g.KW];
            for (int c = 0, r = 0; c < channels; c++)
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++, r++) offsets[r] = (c * hp + i) * wp + j;
            return offsets;
        }

        /// <summary>w [rows, k] as panels of 8 rows, k-major inside a panel: what the micro-kernel broadcasts.</summary>
        public static void PackRows(float* w, int rows, int k, float* packed)
        {
            for (int q = 0; q < rows; q += MR)
                for (int p = 0; p < k; p++)
                    for (int t = 0; t < MR; t++) *packed++ = w[(long)(q + t) * k + p];
        }

        /// <summary>dx's weight from w [O, C, kH, kW] (one group): w'[c, (o, i', j')] = w[o, c, kH−1−i', kW−1−j'],
        /// packed as <see cref="PackRows"/> does.</summary>
        public static void PackFlipped(ConvGeometry g, float* w, float* packed)
        {
            int cg = g.GroupChannels, og = g.GroupOutputs, kk = g.KH * g.KW;
            for (int q = 0; q < cg; q += MR)
                for (int o = 0; o < og; o++)
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                            for (int t = 0; t < MR; t++)
                                *packed++ = w[((long)o * cg + q + t) * kk + (g.KH - 1 - i) * g.KW + (g.KW - 1 - j)];
        }

        /// <summary>input [channels, H, W] into the zero-bordered plane.</summary>
        public static void Pad(ConvGeometry g, float* input, int channels, float* padded)
        {
            int hp = g.H + 2 * g.Padding, wp = g.W + 2 * g.Padding;
            new Span<float>(padded, channels * hp * wp).Clear();
            for (int c = 0; c < channels; c++)
                for (int h = 0; h < g.H; h++)
                    new ReadOnlySpan<float>(input + ((long)c * g.H + h) * g.W, g.W).CopyTo(new Span<float>(padded + (c * hp + h + g.Padding) * wp + g.Padding, g.W));
        }

        /// <summary>y [rows, H·W] = packed [rows, k] · columns of the padded plane, k = offsets.Length.</summary>
        public static void Multiply(ConvGeometry g, float* packed, int rows, int* offsets, int k, float* padded, float* y)
        {
            int wp = g.W + 2 * g.Padding;
            // A tile of 32 pixels is half a row's worth of columns further on, or (16-pixel rows) the next row.
            int half = g.OutW == 16 ? wp : 16;
            for (int first = 0; first < g.OutPixels; first += NR)
            {
                float* corner = padded + first / g.OutW * wp + first % g.OutW;
                for (int q = 0; q < rows; q += MR)
                    Micro(k, packed + (long)q * k, corner, offsets, half, y + (long)q * g.OutPixels + first, g.OutPixels);
            }
        }

        /// <summary>Whether dw of <paramref name="g"/> runs here: its rows (input channels × kernel offsets) in panels of
        /// 8, its columns (output channels of a group) in panels of 32.</summary>
        public static bool AppliesToWeight(ConvGeometry g)
            => Avx512F.IsSupported && g.SameSize && g.Dilation == 1 && g.KH == 2 * g.Padding + 1 && g.KW == 2 * g.Padding + 1
               && g.GroupOutputs % NR == 0 && g.Unfolded % MR == 0;

        /// <summary>dy [outputs, pixels] as dyᵀ [pixels, outputs], what the dw product reads a row of 32 outputs at a time from.</summary>
        public static void Transpose(float* dy, int outputs, int pixels, float* transposed)
        {
            for (int o = 0; o < outputs; o++)
                for (int p = 0; p < pixels; p++) transposed[(long)p * outputs + o] = dy[(long)o * pixels + p];
        }

        /// <summary>dwᵀ [rows, outputs] (+)= columns · dyᵀ over one sample's pixels, the columns broadcast one value at a
        /// time straight from the bordered plane.</summary>
        public static void WeightGradient(ConvGeometry g, float* padded, int* offsets, int rows, float* dyT, int outputs, float* dwT, bool accumulate)
        {
            for (int r = 0; r < rows; r += MR)
                for (int q = 0; q < outputs; q += NR)
                    MicroWeight(g, padded, offsets + r, dyT + q, outputs, dwT + (long)r * outputs + q, outputs, accumulate);
        }

        /// <summary>C[8×32] (+)= Σ over pixels p of column rows r..r+7 at p (each at padded + offsets[t] + p's place)
        /// times dyᵀ[p, q..q+31].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MicroWeight(ConvGeometry g, float* padded, int* offsets, float* dyT, int ldb, float* c, int ldc, bool accumulate)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
            int wp = g.W + 2 * g.Padding;
            float* b = dyT;
            for (int oh = 0; oh < g.OutH; oh++)
            {
                float* row = padded + oh * wp;
                float* a0 = row + offsets[0], a1 = row + offsets[1], a2 = row + offsets[2], a3 = row + offsets[3];
                float* a4 = row + offsets[4], a5 = row + offsets[5], a6 = row + offsets[6], a7 = row + offsets[7];
                for (int ow = 0; ow < g.OutW; ow++, b += ldb)
                {
                    var b0 = Vector512.Load(b);
                    var b1 = Vector512.Load(b + 16);
                    var x = Vector512.Create(a0[ow]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
                    x = Vector512.Create(a1[ow]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
                    x = Vector512.Create(a2[ow]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
                    x = Vector512.Create(a3[ow]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
                    x = Vector512.Create(a4[ow]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
                    x = Vector512.Create(a5[ow]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
                    x = Vector512.Create(a6[ow]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
                    x = Vector512.Create(a7[ow]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
                }
            }
            Update(c, c00, c01, accumulate); Update(c + ldc, c10, c11, accumulate);
            Update(c + 2 * ldc, c20, c21, accumulate); Update(c + 3 * ldc, c30, c31, accumulate);
            Update(c + 4 * ldc, c40, c41, accumulate); Update(c + 5 * ldc, c50, c51, accumulate);
            Update(c + 6 * ldc, c60, c61, accumulate); Update(c + 7 * ldc, c70, c71, accumulate);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Update(float* c, Vector512<float> left, Vector512<float> right, bool accumulate)
        {
            if (accumulate) { left += Vector512.Load(c); right += Vector512.Load(c + 16); }
            Vector512.Store(left, c);
            Vector512.Store(right, c + 16);
        }

        /// <summary>C[8×32] = A panel · 32 columns whose row p starts at b + offsets[p] (the second 16 at + half).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Micro(int k, float* a, float* b, int* offsets, int half, float* c, int ldc)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
            for (int p = 0; p < k; p++, a += 8)
            {
                float* row = b + offsets[p];
                var b0 = Vector512.Load(row);
                var b1 = Vector512.Load(row + half);
                var x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            }
            Vector512.Store(c00, c); Vector512.Store(c01, c + 16);
            Vector512.Store(c10, c + ldc); Vector512.Store(c11, c + ldc + 16);
            Vector512.Store(c20, c + 2 * ldc); Vector512.Store(c21, c + 2 * ldc + 16);
            Vector512.Store(c30, c + 3 * ldc); Vector512.Store(c31, c + 3 * ldc + 16);
            Vector512.Store(c40, c + 4 * ldc); Vector512.Store(c41, c + 4 * ldc + 16);
            Vector512.Store(c50, c + 5 * ldc); Vector512.Store(c51, c + 5 * ldc + 16);
            Vector512.Store(c60, c + 6 * ldc); Vector512.Store(c61, c + 6 * ldc + 16);
            Vector512.Store(c70, c + 7 * ldc); Vector512.Store(c71, c + 7 * ldc + 16);
        }
    }
}
