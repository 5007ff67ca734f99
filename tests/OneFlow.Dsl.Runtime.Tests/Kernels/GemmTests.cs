using System;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>The SIMD GEMM against a double-precision reference, for every transpose case, edge sizes,
    /// padded leading dimensions and accumulation.</summary>
    public unsafe class GemmTests
    {
        public static TheoryData<int, int, int> Sizes() => new TheoryData<int, int, int>
        {
            { 1, 1, 1 }, { 3, 5, 7 }, { 6, 16, 8 }, { 17, 33, 65 }, { 64, 100, 257 }, { 100, 17, 300 }, { 7, 1030, 3 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Matches_reference_for_all_transposes(int m, int n, int k)
        {
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        Check(ta, tb, m, n, k, accumulate, pad: 3);
        }

        [Fact]
        public void Empty_inner_dimension_clears_or_keeps_C()
        {
            var c = new float[] { 1, 2, 3, 4 };
            fixed (float* pc = c) Gemm.Sgemm(false, false, 2, 2, 0, null, 0, null, 2, pc, 2, accumulate: true, 1);
            Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
            fixed (float* pc = c) Gemm.Sgemm(false, false, 2, 2, 0, null, 0, null, 2, pc, 2, accumulate: false, 1);
            Assert.Equal(new float[4], c);
        }

        [Fact]
        public void Steady_state_call_allocates_nothing()
        {
            var a = new float[64 * 784];
            var b = new float[784 * 512];
            var c = new float[64 * 512];
            fixed (float* pa = a, pb = b, pc = c)
            {
                Gemm.Sgemm(false, false, 64, 512, 784, pa, 784, pb, 512, pc, 512, false, Gemm.DefaultThreads);
                long before = GC.GetAllocatedBytesForCurrentThread();
                Gemm.Sgemm(false, false, 64, 512, 784, pa, 784, pb, 512, pc, 512, false, Gemm.DefaultThreads);
                Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
            }
        }

        /// <summary>Device threads call GEMM at once; whoever finds the helper threads taken runs alone.</summary>
        [Fact]
        public void Concurrent_callers_get_correct_results()
        {
            var threads = new System.Threading.Thread[4];
            Exception? failure = null;
            for (int t = 0; t < threads.Length; t++)
            {
                int seed = t;
                threads[t] = new System.Threading.Thread(() =>
                {
                    try { for (int i = 0; i < 5; i++) Check(seed % 2 == 0, seed > 1, 64 + seed, 200, 129, false, pad: 0); }
                    catch (Exception e) { failure = e; }
                });
                threads[t].Start();
            }
            foreach (var t in threads) t.Join();
            Assert.Null(failure);
        }

        private static void Check(bool ta, bool tb, int m, int n, int k, bool accumulate, int pad)
        {
            var random = new Random(m * 1000 + n * 10 + k);
            int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
            var a = Random(random, (ta ? k : m) * lda);
            var b = Random(random, (tb ? n : k) * ldb);
            var c = Random(random, m * ldc);
            var expected = (float[])c.Clone();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = accumulate ? c[i * ldc + j] : 0;
                    for (int p = 0; p < k; p++)
                        sum += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                    expected[i * ldc + j] = (float)sum;
                }
            fixed (float* pa = a, pb = b, pc = c) Gemm.Sgemm(ta, tb, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, 2);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < ldc; j++)
                {
                    float e = expected[i * ldc + j], g = c[i * ldc + j];
                    Assert.True(Math.Abs(e - g) <= 1e-5f * (k + 1) * Math.Max(1f, Math.Abs(e)),
                        $"ta={ta} tb={tb} acc={accumulate} {m}x{n}x{k}: C[{i},{j}] = {g}, expected {e}");
                }
        }

        private static float[] Random(Random random, int count)
        {
            var x = new float[count];
            for (int i = 0; i < count; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
            return x;
        }
    }
}
