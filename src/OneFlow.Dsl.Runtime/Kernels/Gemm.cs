using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Single-precision GEMM, row-major: C = op(A)·op(B) (+ C). GotoBLAS/BLIS structure: blocked for the
    /// caches, operands packed into contiguous panels (the packing absorbs the transposes, so one register-tiled FMA
    /// micro-kernel serves all four cases). Several threads split C into column or row slices, each running the
    /// whole blocked algorithm on its slice with its own packing buffers: no synchronisation inside a call.</summary>
    internal static unsafe class Gemm
    {
        /// <summary>Below this many flops waking a helper costs more than it saves.</summary>
        private const double ParallelFlops = 4e6;

        /// <summary>KC makes the C tile's load and store small beside the KC×16 FMAs between them; the packed A block
        /// (MC×KC, 400 KB) stays in L2 while each B panel (KC×NR) is swept across it; NC bounds the packed B block.
        /// MC is a multiple of every MR, so only the last panel of A can be short. (On Zen 4, KC 256–512 and MC
        /// 96–192 all measure within noise of each other.)</summary>
        private const int KC = 512, MC = 192, NC = 1024;

        private const int MaxMR = 8, MaxNR = 32;

        // IsSupported is a JIT-time constant, so these fold to constants and the loops below specialise per machine.
        // AVX-512: 8×32 = 16 zmm accumulators, enough independent FMAs to cover latency, and 8 divides the batch
        // sizes and widths the runtime uses (64, 512, 784) so edge tiles are rare.
        private static int MR => Avx512F.IsSupported ? 8 : 6;
        private static int NR => Avx512F.IsSupported ? 32 : 16;

        /// <summary>The most parts a call may use: the calling thread plus the pool's helpers.</summary>
        public static int DefaultThreads => Environment.ProcessorCount;

        [ThreadStatic] private static float* t_packA;
        [ThreadStatic] private static float* t_packB;
        [ThreadStatic] private static Split? t_split;

        /// <summary>C[m,n] = op(A)·op(B), plus C's old value when <paramref name="accumulate"/>. op(A) is m×k (A is
        /// stored k×m when <paramref name="transA"/>), op(B) is k×n (B stored n×k when <paramref name="transB"/>);
        /// lda, ldb, ldc are the row strides of the stored matrices. <paramref name="threads"/> caps the parts the
        /// call is split into; it runs on the calling thread alone when the pool is busy with another caller.</summary>
        public static void Sgemm(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
            float* c, int ldc, bool accumulate, int threads)
        {
            if (m <= 0 || n <= 0) return;
            if (threads > 1 && k > 0 && 2.0 * m * n * k >= ParallelFlops)
            {
                var split = t_split ??= new Split();
                if (split.TryRun(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, threads)) return;
            }
            Serial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }

        /// <summary>One call's arguments, in an object reused by its calling thread so that splitting allocates
        /// nothing. C is cut into slices of whole micro-tiles; the operand that is not cut is packed again for every
        /// slice, so the cut goes along the dimension that makes that operand the smaller one, and there are only a
        /// couple of slices per thread: enough for a thread that starts late to leave its share to the others.</summary>
        private sealed class Split : IChunkedJob
        {
            private bool _ta, _tb, _acc, _byRows;
            private int _m, _n, _k, _lda, _ldb, _ldc;
            private float* _a, _b, _c;

            public bool TryRun(bool ta, bool tb, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c,
                int ldc, bool acc, int threads)
            {
                int rowPanels = (m + MR - 1) / MR, colPanels = (n + NR - 1) / NR;
                _byRows = m > n ? rowPanels >= 2 : colPanels < 2;
                int chunks = Math.Min(2 * threads, _byRows ? rowPanels : colPanels);
                if (chunks < 2) return false;
                _ta = ta; _tb = tb; _m = m; _n = n; _k = k; _a = a; _lda = lda; _b = b; _ldb = ldb; _c = c; _ldc = ldc; _acc = acc;
                return WorkerPool.TryRun(this, chunks, threads);
            }

            public void RunChunk(int chunk, int chunks)
            {
                if (_byRows)
                {
                    var (first, last) = Range(_m, MR, chunk, chunks);
                    if (last <= first) return;
                    float* a = _ta ? _a + first : _a + (long)first * _lda;
                    Serial(_ta, _tb, last - first, _n, _k, a, _lda, _b, _ldb, _c + (long)first * _ldc, _ldc, _acc);
                }
                else
                {
                    var (first, last) = Range(_n, NR, chunk, chunks);
                    if (last <= first) return;
                    float* b = _tb ? _b + (long)first * _ldb : _b + first;
                    Serial(_ta, _tb, _m, last - first, _k, _a, _lda, b, _ldb, _c + first, _ldc, _acc);
                }
            }

            private static (int First, int Last) Range(int size, int tile, int chunk, int chunks)
            {
                int tiles = (size + tile - 1) / tile;
                return (Math.Min(size, tiles * chunk / chunks * tile), Math.Min(size, tiles * (chunk + 1) / chunks * tile));
            }
        }

        private static void Serial(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
            float* c, int ldc, bool accumulate)
        {
            if (k <= 0)
            {
                if (!accumulate) Clear(c, m, n, ldc);
                return;
            }
            EnsureBuffers();
            float* packA = t_packA, packB = t_packB;
            // Equal slices of k: a short last slice would pay a whole C update for a few FMAs.
            int kSlices = (k + KC - 1) / KC, kStep = (k + kSlices - 1) / kSlices;
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += kStep)
                {
                    int kc = Math.Min(kStep, k - pc);
                    // With few rows of A each B panel is used by only a few micro-tiles, too few to repay copying it:
                    // rows of B are read in place then, and only a partial last panel is packed.
                    float* direct = DirectB(transB, m) ? b + (long)pc * ldb + jc : null;
                    int skip = direct != null ? nc / NR * NR : 0;
                    if (skip < nc) PackB(transB, b, ldb, pc, jc + skip, kc, nc - skip, packB);
                    // The first slice of k stores instead of adding, which spares a pass clearing C.
                    bool overwrite = !accumulate && pc == 0;
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        PackA(transA, a, lda, ic, pc, mc, kc, packA);
                        Macro(mc, nc, kc, packA, packB, direct, skip, ldb, c + (long)ic * ldc + jc, ldc, overwrite);
                    }
                }
            }
        }

        /// <summary>Whether B's rows are read in place: only the AVX-512 kernels take a B row stride, and beyond about
        /// eight micro-tiles per panel packing pays for itself (measured on Zen 4: in place is 10–20% faster at m = 64,
        /// up to 10% slower from m = 100, where rows a power of two apart also start to collide in L1).</summary>
        private static bool DirectB(bool transB, int m) => Avx512F.IsSupported && !transB && m <= 8 * MR;

        private static void Clear(float* c, int m, int n, int ldc)
        {
            for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
        }

        /// <summary>Once per thread, never freed: each thread that ever multiplies keeps about 2.5 MB.</summary>
        private static void EnsureBuffers()
        {
            if (t_packA != null) return;
            t_packA = (float*)NativeMemory.AlignedAlloc((nuint)((MC + MaxMR) * KC * sizeof(float)), 64);
            t_packB = (float*)NativeMemory.AlignedAlloc((nuint)((NC + MaxNR) * KC * sizeof(float)), 64);
        }

        /// <summary>op(A)[ic.., pc..] as panels of MR rows, k-major inside a panel (the order the micro-kernel
        /// broadcasts them in); a short last panel is zero-padded.</summary>
        private static void PackA(bool trans, float* a, int lda, int ic, int pc, int mc, int kc, float* dst)
        {
            for (int ir = 0; ir < mc; ir += MR, dst += MR * kc)
            {
                int rows = Math.Min(MR, mc - ir);
                if (trans) CopyPanel(a + (long)pc * lda + ic + ir, lda, rows, MR, kc, dst);
                else TransposePanel(a + (long)(ic + ir) * lda + pc, lda, rows, MR, kc, dst);
            }
        }

        /// <summary>op(B)[pc.., jc..] as panels of NR columns, k-major inside a panel; zero-padded likewise.</summary>
        private static void PackB(bool trans, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst)
        {
            for (int jr = 0; jr < nc; jr += NR, dst += NR * kc)
            {
                int cols = Math.Min(NR, nc - jr);
                if (trans) TransposePanel(b + (long)(jc + jr) * ldb + pc, ldb, cols, NR, kc, dst);
                else CopyPanel(b + (long)pc * ldb + jc + jr, ldb, cols, NR, kc, dst);
            }
        }

        /// <summary>dst[p, 0..count) = src[p, 0..count) for p &lt; kc, rows <paramref name="width"/> apart.</summary>
        private static void CopyPanel(float* src, int ld, int count, int width, int kc, float* dst)
        {
            if (Avx512F.IsSupported && width == 32)
            {
                // Masked loads read only the valid columns and fill the padding with zeros in the same move.
                var lo = FirstLanes(count);
                var hi = FirstLanes(count - 16);
                for (int p = 0; p < kc; p++, src += ld, dst += width)
                {
                    Vector512.StoreAligned(Avx512F.MaskLoad(src, lo, Vector512<float>.Zero), dst);
                    Vector512.StoreAligned(Avx512F.MaskLoad(src + 16, hi, Vector512<float>.Zero), dst + 16);
                }
                return;
            }
            if (count == width && width % 8 == 0 && Vector256.IsHardwareAccelerated)
            {
                for (int p = 0; p < kc; p++, src += ld, dst += width)
                    for (int j = 0; j < width; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
                return;
            }
            for (int p = 0; p < kc; p++, src += ld, dst += width)
                for (int j = 0; j < width; j++) dst[j] = j < count ? src[j] : 0f;
        }

        /// <summary>dst[p, r] = src[r, p]: the source rows become the panel's columns. Whole 8×8 blocks are
        /// transposed in registers, since element-wise the strided stores dominate packing time.</summary>
        private static void TransposePanel(float* src, int ld, int count, int width, int kc, float* dst)
        {
            if (count < width) new Span<float>(dst, width * kc).Clear();
            int r = 0;
            if (Avx.IsSupported)
            {
                for (; r + 8 <= count; r += 8)
                {
                    float* s = src + (long)r * ld;
                    int p = 0;
                    for (; p + 8 <= kc; p += 8) Transpose8x8(s + p, ld, dst + p * width + r, width);
                    for (; p < kc; p++)
                        for (int i = 0; i < 8; i++) dst[p * width + r + i] = s[(long)i * ld + p];
                }
            }
            for (; r < count; r++)
            {
                float* s = src + (long)r * ld;
                for (int p = 0; p < kc; p++) dst[p * width + r] = s[p];
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose8x8(float* src, int ld, float* dst, int dstStride)
        {
            var t0 = Avx.UnpackLow(Avx.LoadVector256(src), Avx.LoadVector256(src + ld));
            var t1 = Avx.UnpackHigh(Avx.LoadVector256(src), Avx.LoadVector256(src + ld));
            var t2 = Avx.UnpackLow(Avx.LoadVector256(src + 2 * ld), Avx.LoadVector256(src + 3 * ld));
            var t3 = Avx.UnpackHigh(Avx.LoadVector256(src + 2 * ld), Avx.LoadVector256(src + 3 * ld));
            var t4 = Avx.UnpackLow(Avx.LoadVector256(src + 4 * ld), Avx.LoadVector256(src + 5 * ld));
            var t5 = Avx.UnpackHigh(Avx.LoadVector256(src + 4 * ld), Avx.LoadVector256(src + 5 * ld));
            var t6 = Avx.UnpackLow(Avx.LoadVector256(src + 6 * ld), Avx.LoadVector256(src + 7 * ld));
            var t7 = Avx.UnpackHigh(Avx.LoadVector256(src + 6 * ld), Avx.LoadVector256(src + 7 * ld));
            var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
            var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
            var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
            var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
        }

        /// <summary>Sweeps the packed block with micro-tiles, B's panel outermost so it stays in the near caches while
        /// the A panels stream from L2. Edge tiles are computed whole into a scratch tile and the valid part copied.</summary>
        [SkipLocalsInit]
        private static void Macro(int mc, int nc, int kc, float* packA, float* packB, float* direct, int skip, int ldb,
            float* c, int ldc, bool overwrite)
        {
            float* tile = stackalloc float[MaxMR * MaxNR];
            for (int jr = 0; jr < nc; jr += NR)
            {
                int cols = Math.Min(NR, nc - jr);
                bool inPlace = jr < skip;
                float* pb = inPlace ? direct + jr : packB + (long)(jr - skip) * kc;
                int ldp = inPlace ? ldb : NR;
                for (int ir = 0; ir < mc; ir += MR)
                {
                    int rows = Math.Min(MR, mc - ir);
                    float* pa = packA + (long)ir * kc, ct = c + (long)ir * ldc + jr;
                    if (rows == MR && cols == NR) Micro(kc, pa, pb, ldp, ct, ldc, overwrite);
                    else if (Avx512F.IsSupported && cols <= 16)
                    {
                        // Narrow outputs (ten logits) would waste two thirds of a 32-wide tile.
                        if (rows == MR && cols == 16) Micro8x16(kc, pa, pb, ldp, ct, ldc, overwrite);
                        else
                        {
                            Micro8x16(kc, pa, pb, ldp, tile, NR, overwrite: true);
                            CopyTile(tile, rows, cols, ct, ldc, overwrite);
                        }
                    }
                    else
                    {
                        Micro(kc, pa, pb, ldp, tile, NR, overwrite: true);
                        CopyTile(tile, rows, cols, ct, ldc, overwrite);
                    }
                }
            }
        }

        private static void CopyTile(float* tile, int rows, int cols, float* c, int ldc, bool overwrite)
        {
            if (Avx512F.IsSupported)
            {
                // Masked rows: edge tiles are most of the work for narrow outputs, too many for scalar copies.
                var lo = FirstLanes(cols);
                var hi = FirstLanes(cols - 16);
                for (int r = 0; r < rows; r++, c += ldc, tile += NR)
                {
                    MaskedUpdate(c, Vector512.Load(tile), lo, overwrite);
                    MaskedUpdate(c + 16, Vector512.Load(tile + 16), hi, overwrite);
                }
                return;
            }
            for (int r = 0; r < rows; r++, c += ldc, tile += NR)
                for (int j = 0; j < cols; j++) c[j] = overwrite ? tile[j] : c[j] + tile[j];
        }

        /// <summary>A mask of the first <paramref name="count"/> of 16 lanes (none when count ≤ 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> FirstLanes(int count) =>
            Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MaskedUpdate(float* c, Vector512<float> sum, Vector512<float> mask, bool overwrite)
        {
            if (mask == Vector512<float>.Zero) return;
            if (!overwrite) sum += Avx512F.MaskLoad(c, mask, Vector512<float>.Zero);
            Avx512F.MaskStore(c, mask, sum);
        }

        /// <summary><paramref name="ldp"/>: floats between B's rows, NR for a packed panel (the only kind the
        /// 256-bit and portable kernels get, see <see cref="DirectB"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Micro(int kc, float* a, float* b, int ldp, float* c, int ldc, bool overwrite)
        {
            if (Avx512F.IsSupported) Micro8x32(kc, a, b, ldp, c, ldc, overwrite);
            else if (Fma.IsSupported) Micro6x16(kc, a, b, c, ldc, overwrite);
            else MicroPortable(kc, a, b, c, ldc, overwrite);
        }

        /// <summary>C[8×32] (+)= A panel · B panel; the sixteen accumulators live in registers for the whole k loop.</summary>
        private static void Micro8x32(int kc, float* a, float* b, int ldp, float* c, int ldc, bool overwrite)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
            // C is touched once per k slice and is usually not cached: start fetching it while the loop runs.
            for (int r = 0; r < 8; r++) { Sse.Prefetch0(c + r * ldc); Sse.Prefetch0(c + r * ldc + 16); }
            for (int p = 0; p < kc; p++, a += 8, b += ldp)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                var x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            }
            Update(c, c00, overwrite); Update(c + 16, c01, overwrite);
            Update(c + ldc, c10, overwrite); Update(c + ldc + 16, c11, overwrite);
            Update(c + 2 * ldc, c20, overwrite); Update(c + 2 * ldc + 16, c21, overwrite);
            Update(c + 3 * ldc, c30, overwrite); Update(c + 3 * ldc + 16, c31, overwrite);
            Update(c + 4 * ldc, c40, overwrite); Update(c + 4 * ldc + 16, c41, overwrite);
            Update(c + 5 * ldc, c50, overwrite); Update(c + 5 * ldc + 16, c51, overwrite);
            Update(c + 6 * ldc, c60, overwrite); Update(c + 6 * ldc + 16, c61, overwrite);
            Update(c + 7 * ldc, c70, overwrite); Update(c + 7 * ldc + 16, c71, overwrite);
        }

        /// <summary>C[8×16] (+)= A panel · left half of a 32-wide B panel, for the last columns of narrow outputs.</summary>
        private static void Micro8x16(int kc, float* a, float* b, int ldp, float* c, int ldc, bool overwrite)
        {
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
            for (int p = 0; p < kc; p++, a += 8, b += ldp)
            {
                var b0 = Vector512.Load(b);
                c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
                c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
                c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
                c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
                c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
                c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
                c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
                c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
            }
            Update(c, c0, overwrite); Update(c + ldc, c1, overwrite); Update(c + 2 * ldc, c2, overwrite);
            Update(c + 3 * ldc, c3, overwrite); Update(c + 4 * ldc, c4, overwrite); Update(c + 5 * ldc, c5, overwrite);
            Update(c + 6 * ldc, c6, overwrite); Update(c + 7 * ldc, c7, overwrite);
        }

        /// <summary>C[6×16] (+)= A panel · B panel: twelve ymm accumulators, the most AVX2's sixteen registers hold
        /// beside the two B vectors and a broadcast.</summary>
        private static void Micro6x16(int kc, float* a, float* b, float* c, int ldc, bool overwrite)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++, a += 6, b += 16)
            {
                var b0 = Avx.LoadAlignedVector256(b);
                var b1 = Avx.LoadAlignedVector256(b + 8);
                var x = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
                x = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
                x = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
                x = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
                x = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
                x = Vector256.Create(a[5]); c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            }
            Update(c, c00, overwrite); Update(c + 8, c01, overwrite);
            Update(c + ldc, c10, overwrite); Update(c + ldc + 8, c11, overwrite);
            Update(c + 2 * ldc, c20, overwrite); Update(c + 2 * ldc + 8, c21, overwrite);
            Update(c + 3 * ldc, c30, overwrite); Update(c + 3 * ldc + 8, c31, overwrite);
            Update(c + 4 * ldc, c40, overwrite); Update(c + 4 * ldc + 8, c41, overwrite);
            Update(c + 5 * ldc, c50, overwrite); Update(c + 5 * ldc + 8, c51, overwrite);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Update(float* c, Vector512<float> sum, bool overwrite) =>
            Vector512.Store(overwrite ? sum : Vector512.Load(c) + sum, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Update(float* c, Vector256<float> sum, bool overwrite) =>
            Vector256.Store(overwrite ? sum : Vector256.Load(c) + sum, c);

        /// <summary>Without FMA hardware (other architectures, old x86) the 6×16 tile is accumulated with 128-bit
        /// vectors, which every SIMD target has; a stack tile keeps it independent of the register count.</summary>
        [SkipLocalsInit]
        private static void MicroPortable(int kc, float* a, float* b, float* c, int ldc, bool overwrite)
        {
            const int Rows = 6, Cols = 16;
            var acc = stackalloc Vector128<float>[Rows * Cols / 4];
            for (int i = 0; i < Rows * Cols / 4; i++) acc[i] = Vector128<float>.Zero;
            for (int p = 0; p < kc; p++, a += Rows, b += Cols)
                for (int r = 0; r < Rows; r++)
                {
                    var x = Vector128.Create(a[r]);
                    for (int q = 0; q < Cols / 4; q++) acc[r * 4 + q] += x * Vector128.Load(b + 4 * q);
                }
            for (int r = 0; r < Rows; r++, c += ldc)
                for (int q = 0; q < Cols / 4; q++)
                {
                    float* row = c + 4 * q;
                    Vector128.Store(overwrite ? acc[r * 4 + q] : Vector128.Load(row) + acc[r * 4 + q], row);
                }
        }
    }
}
