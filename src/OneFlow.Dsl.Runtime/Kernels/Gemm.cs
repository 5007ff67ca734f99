using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Single-precision GEMM, row-major: C = op(A)·op(B) (+ C). Blocked for the caches and packed so that
    /// one register-tiled FMA micro-kernel serves every transpose case. Several threads split C by columns, each
    /// running the whole blocked algorithm on its slice with its own packing buffers: no synchronisation inside.</summary>
    public static unsafe class Gemm
    {
        /// <summary>Below this many flops a split costs more than it saves.</summary>
        private const double ParallelFlops = 4e6;
        private const int MR = 6, NR = 16, KC = 256, MC = 72, NC = 1024;

        public static int DefaultThreads => Environment.ProcessorCount;

        [ThreadStatic] private static float* t_packA;
        [ThreadStatic] private static float* t_packB;

        public static void Sgemm(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
            float* c, int ldc, bool accumulate, int threads)
        {
            if (m <= 0 || n <= 0) return;
            int parts = Math.Min(threads, (n + NR - 1) / NR);
            if (parts > 1 && 2.0 * m * n * k >= ParallelFlops)
            {
                var job = t_job ??= new ColumnSplit();
                job.Set(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
                if (WorkerPool.TryRun(job, parts)) return;
            }
            Serial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }

        [ThreadStatic] private static ColumnSplit? t_job;

        /// <summary>One call's arguments, kept in an object reused by its thread so that splitting allocates nothing.</summary>
        private sealed class ColumnSplit : IPartedJob
        {
            private bool _ta, _tb, _acc;
            private int _m, _n, _k, _lda, _ldb, _ldc;
            private float* _a, _b, _c;

            public void Set(bool ta, bool tb, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool acc)
            {
                _ta = ta; _tb = tb; _m = m; _n = n; _k = k; _a = a; _lda = lda; _b = b; _ldb = ldb; _c = c; _ldc = ldc; _acc = acc;
            }

            /// <summary>Columns are cut on micro-tile boundaries so that no part computes a padded tile it need not.</summary>
            public void RunPart(int part, int parts)
            {
                int panels = (_n + NR - 1) / NR;
                int first = Math.Min(_n, panels * part / parts * NR), last = Math.Min(_n, panels * (part + 1) / parts * NR);
                if (last <= first) return;
                float* b = _tb ? _b + (long)first * _ldb : _b + first;
                Serial(_ta, _tb, _m, last - first, _k, _a, _lda, b, _ldb, _c + first, _ldc, _acc);
            }
        }

        private static void Serial(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
            float* c, int ldc, bool accumulate)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
            if (k <= 0) return;
            EnsureBuffers();
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    PackB(transB, b, ldb, pc, jc, kc, nc, t_packB);
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        PackA(transA, a, lda, ic, pc, mc, kc, t_packA);
                        Macro(mc, nc, kc, t_packA, t_packB, c + (long)ic * ldc + jc, ldc);
                    }
                }
            }
        }

        private static void EnsureBuffers()
        {
            if (t_packA != null) return;
            t_packA = (float*)NativeMemory.AlignedAlloc((nuint)(MC * KC * sizeof(float)), 64);
            t_packB = (float*)NativeMemory.AlignedAlloc((nuint)(KC * (NC + NR) * sizeof(float)), 64);
        }

        /// <summary>Packs op(A)[ic.., pc..] as row panels of MR rows, k-major inside a panel; short panels zero-padded.
        /// Each loop reads its source contiguously: rows of A, or (transposed) runs of MR consecutive elements.</summary>
        private static void PackA(bool trans, float* a, int lda, int ic, int pc, int mc, int kc, float* dst)
        {
            for (int ir = 0; ir < mc; ir += MR, dst += MR * kc)
            {
                int rows = Math.Min(MR, mc - ir);
                if (rows < MR) new Span<float>(dst, MR * kc).Clear();
                if (trans)
                {
                    float* src = a + (long)pc * lda + ic + ir;
                    for (int p = 0; p < kc; p++, src += lda)
                        for (int r = 0; r < rows; r++) dst[p * MR + r] = src[r];
                }
                else
                {
                    for (int r = 0; r < rows; r++)
                    {
                        float* src = a + (long)(ic + ir + r) * lda + pc;
                        for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
                    }
                }
            }
        }

        /// <summary>Packs op(B)[pc.., jc..] as column panels of NR columns, k-major inside a panel; zero-padded.</summary>
        private static void PackB(bool trans, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst)
        {
            for (int jr = 0; jr < nc; jr += NR, dst += NR * kc)
            {
                int cols = Math.Min(NR, nc - jr);
                if (cols < NR) new Span<float>(dst, NR * kc).Clear();
                if (trans)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        float* src = b + (long)(jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) dst[p * NR + j] = src[p];
                    }
                }
                else
                {
                    float* src = b + (long)pc * ldb + jc + jr;
                    for (int p = 0; p < kc; p++, src += ldb)
                        new ReadOnlySpan<float>(src, cols).CopyTo(new Span<float>(dst + p * NR, cols));
                }
            }
        }

        private static void Macro(int mc, int nc, int kc, float* packA, float* packB, float* c, int ldc)
        {
            float* tile = stackalloc float[MR * NR];
            for (int jr = 0; jr < nc; jr += NR)
            {
                int cols = Math.Min(NR, nc - jr);
                for (int ir = 0; ir < mc; ir += MR)
                {
                    int rows = Math.Min(MR, mc - ir);
                    float* pa = packA + (long)ir * kc, pb = packB + (long)jr * kc;
                    if (rows == MR && cols == NR) Micro(kc, pa, pb, c + (long)ir * ldc + jr, ldc);
                    else
                    {
                        new Span<float>(tile, MR * NR).Clear();
                        Micro(kc, pa, pb, tile, NR);
                        for (int r = 0; r < rows; r++)
                            for (int j = 0; j < cols; j++) c[(long)(ir + r) * ldc + jr + j] += tile[r * NR + j];
                    }
                }
            }
        }

        /// <summary>C[6×16] += A panel · B panel, twelve 8-wide accumulators held in registers across the k loop.</summary>
        private static void Micro(int kc, float* a, float* b, float* c, int ldc)
        {
            if (!Fma.IsSupported) { MicroScalar(kc, a, b, c, ldc); return; }
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++, a += MR, b += NR)
            {
                var b0 = Avx.LoadAlignedVector256(b);
                var b1 = Avx.LoadAlignedVector256(b + 8);
                var a0 = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
                var a1 = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
                var a2 = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
                var a3 = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
                var a4 = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
                var a5 = Vector256.Create(a[5]); c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
            }
            Store(c, c00, c01); Store(c + ldc, c10, c11); Store(c + 2 * ldc, c20, c21);
            Store(c + 3 * ldc, c30, c31); Store(c + 4 * ldc, c40, c41); Store(c + 5 * ldc, c50, c51);
        }

        private static void Store(float* row, Vector256<float> lo, Vector256<float> hi)
        {
            Avx.Store(row, Avx.Add(Avx.LoadVector256(row), lo));
            Avx.Store(row + 8, Avx.Add(Avx.LoadVector256(row + 8), hi));
        }

        private static void MicroScalar(int kc, float* a, float* b, float* c, int ldc)
        {
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < MR; r++)
                    for (int j = 0; j < NR; j++) c[r * ldc + j] += a[p * MR + r] * b[p * NR + j];
        }
    }
}
