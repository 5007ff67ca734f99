using System;
using System.Threading;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>The SIMD GEMM against a double-precision reference, for every transpose case, edge sizes,
    /// padded leading dimensions, accumulation and both the serial and the split path.</summary>
    public unsafe class GemmTests
    {
        /// <summary>Odd sizes exercise the edge tiles; k above the cache block exercises k slicing, n above it column
        /// blocking; m ≤ 64 with B not transposed reads B in place; the large ones (≥ 4 MFLOP) are the ones that are
        /// split across threads, by columns when m ≤ n and by rows otherwise.</summary>
        public static TheoryData<int, int, int> Sizes() => new TheoryData<int, int, int>
        {
            { 1, 1, 1 }, { 3, 5, 7 }, { 1, 17, 33 }, { 17, 1, 33 }, { 17, 33, 65 }, { 33, 17, 100 }, { 8, 32, 400 },
            { 16, 48, 40 }, { 24, 16, 9 }, { 40, 70, 1100 }, { 65, 100, 257 }, { 257, 3, 17 }, { 7, 1030, 3 },
            { 100, 257, 129 }, { 257, 100, 129 }, { 1, 4000, 600 }, { 3000, 1, 700 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Matches_reference_for_all_transposes(int m, int n, int k)
        {
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        foreach (int threads in new[] { 1, 2 })
                            Check(ta, tb, m, n, k, accumulate, threads, pad: 3);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Empty_inner_dimension_clears_or_keeps_C(int threads)
        {
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        Check(ta, tb, 5, 70, 0, accumulate, threads, pad: 2);
        }

        [Fact]
        public void Empty_inner_dimension_ignores_null_operands()
        {
            var c = new float[] { 1, 2, 3, 4 };
            fixed (float* pc = c) Gemm.Sgemm(false, false, 2, 2, 0, null, 0, null, 2, pc, 2, accumulate: true, 1);
            Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
            fixed (float* pc = c) Gemm.Sgemm(false, false, 2, 2, 0, null, 0, null, 2, pc, 2, accumulate: false, 2);
            Assert.Equal(new float[4], c);
        }

        [Fact]
        public void Steady_state_call_allocates_nothing_on_the_calling_thread()
        {
            foreach (int threads in new[] { 1, Gemm.DefaultThreads })
                Assert.Equal(0, GemmAllocation.BytesOfSecondCall(threads, GC.GetAllocatedBytesForCurrentThread));
        }

        /// <summary>Device threads call GEMM at once; whoever finds the helper threads taken runs alone.</summary>
        [Fact]
        public void Concurrent_callers_get_correct_results()
        {
            var threads = new Thread[4];
            Exception? failure = null;
            for (int t = 0; t < threads.Length; t++)
            {
                int seed = t;
                threads[t] = new Thread(() =>
                {
                    try
                    {
                        for (int i = 0; i < 4; i++)
                            Check(seed % 2 == 0, seed > 1, 64 + seed, 200 + 7 * i, 129, i % 2 == 1, threads: 2, pad: 1);
                    }
                    catch (Exception e) { failure = e; }
                });
                threads[t].Start();
            }
            foreach (var t in threads) t.Join();
            Assert.Null(failure);
        }

        internal static void Check(bool ta, bool tb, int m, int n, int k, bool accumulate, int threads, int pad)
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
            fixed (float* pa = a, pb = b, pc = c) Gemm.Sgemm(ta, tb, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, threads);
            // Every element of C, padding included: the columns past n must come back untouched.
            for (int i = 0; i < m; i++)
                for (int j = 0; j < ldc; j++)
                {
                    float e = expected[i * ldc + j], g = c[i * ldc + j];
                    Assert.True(Math.Abs(e - g) <= 1e-5f * (k + 1) * Math.Max(1f, Math.Abs(e)),
                        $"ta={ta} tb={tb} acc={accumulate} threads={threads} {m}x{n}x{k}: C[{i},{j}] = {g}, expected {e}");
                }
        }

        private static float[] Random(Random random, int count)
        {
            var x = new float[count];
            for (int i = 0; i < count; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
            return x;
        }
    }

    [CollectionDefinition(nameof(GemmAllocation), DisableParallelization = true)]
    public sealed class GemmAllocationCollection { }

    /// <summary>The helper threads' allocations only show in the process-wide count, which other tests running at
    /// the same moment would disturb: hence a collection that runs alone.</summary>
    [Collection(nameof(GemmAllocation))]
    public unsafe class GemmAllocation
    {
        [Fact]
        public void Steady_state_split_call_allocates_nothing_in_the_process()
        {
            // The runner's own threads may allocate during a try; a GEMM that allocates would do so on every try.
            long least = long.MaxValue;
            var seen = new System.Collections.Generic.List<long>();
            for (int attempt = 0; attempt < 10 && least > 0; attempt++)
            {
                Thread.Sleep(20);
                long bytes = BytesOfSecondCall(2, () => GC.GetTotalAllocatedBytes(precise: true));
                seen.Add(bytes);
                least = Math.Min(least, bytes);
            }
            Assert.True(least == 0, "allocated bytes per try: " + string.Join(", ", seen));
        }

        /// <summary>Bytes allocated by a call after a first, warming call of the same shape (a training step's
        /// shape, big enough to be split, and quick so that the test host's own allocations seldom fall inside).</summary>
        internal static long BytesOfSecondCall(int threads, Func<long> allocated)
        {
            const int m = 64, n = 256, k = 320;
            var a = new float[m * k];
            var b = new float[k * n];
            var c = new float[m * n];
            fixed (float* pa = a, pb = b, pc = c)
            {
                Gemm.Sgemm(false, true, m, n, k, pa, k, pb, k, pc, n, false, threads);
                long before = allocated();
                Gemm.Sgemm(false, true, m, n, k, pa, k, pb, k, pc, n, false, threads);
                return allocated() - before;
            }
        }
    }
}
