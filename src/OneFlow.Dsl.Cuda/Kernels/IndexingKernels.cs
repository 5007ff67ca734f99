using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A gather's sizes as a kernel reads them: the index's four dimensions (padded in front with 1), x's
    /// strides along them, which of them is gathered and x's length there.</summary>
    internal struct GatherLayout
    {
        public int I0, I1, I2, I3, S0, S1, S2, S3, Axis, Length;

        public static GatherLayout Of(Shape x, Shape index, int axis)
        {
            int[] dims = BroadcastLayout.Padded(index), xs = BroadcastLayout.Padded(x), strides = new int[BroadcastLayout.MaxRank];
            for (int s = 1, d = BroadcastLayout.MaxRank - 1; d >= 0; d--) { strides[d] = s; s *= xs[d]; }
            int padded = axis + BroadcastLayout.MaxRank - x.Rank;
            return new GatherLayout { I0 = dims[0], I1 = dims[1], I2 = dims[2], I3 = dims[3], S0 = strides[0], S1 = strides[1], S2 = strides[2], S3 = strides[3], Axis = padded, Length = x[axis] };
        }

        /// <summary>Where index element <paramref name="e"/> reads x, or −1 for an index outside x.</summary>
        public static int Source(int e, int v, GatherLayout l)
        {
            if (v < 0 || v >= l.Length) return -1;
            int r = e;
            int c3 = r % l.I3; r /= l.I3;
            int c2 = r % l.I2; r /= l.I2;
            int c1 = r % l.I1;
            int c0 = r / l.I1;
            if (l.Axis == 0) c0 = v; else if (l.Axis == 1) c1 = v; else if (l.Axis == 2) c2 = v; else c3 = v;
            return c0 * l.S0 + c1 * l.S1 + c2 * l.S2 + c3 * l.S3;
        }
    }

    /// <summary>The indexing ops with the CPU's rules (<see cref="Runtime.Kernels.Indexing"/>), one thread per output
    /// element (an index outside x reads 0); the gradients clear dx and add each dy element atomically, since indices repeat.</summary>
    internal static class IndexingKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.Gather, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, GatherLayout>(Gather);
                return k => run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out,
                    k.Cached(c => GatherLayout.Of(c.InShape(0), c.InShape(1), c.Op.Get<IndexingAttributes>().AxisOf(c.InShape(0).Rank))));
            });
            GpuKernels.Add(OpKind.GatherGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, GatherLayout>(GatherGradient);
                return k =>
                {
                    k.Out.MemSetToZero(k.Stream);
                    run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.Ints(1), k.Out, k.Cached(c => GatherLayout.Of(c.OutShape, c.InShape(1), GatherGradOp.Axis(c.Op))));
                };
            }, launches: _ => 2);
            GpuKernels.Add(OpKind.IndexSelect, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int>(Select);
                return k =>
                {
                    var (n, inner) = k.Cached(c => Run(c.InShape(0), c.Op.Get<IndexingAttributes>().AxisOf(c.InShape(0).Rank)));
                    run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out, n, (int)k.InShape(1)[0], inner);
                };
            });
            GpuKernels.Add(OpKind.IndexSelectGrad, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int>(SelectGradient);
                return k =>
                {
                    var (n, inner) = k.Cached(c => Run(c.OutShape, c.Op.Get<IndexingAttributes>().Axis));
                    k.Out.MemSetToZero(k.Stream);
                    run(k.Stream, GpuKernelContext.Count(k.In(0)), k.In(0), k.Ints(1), k.Out, n, (int)k.InShape(1)[0], inner);
                };
            }, launches: _ => 2);
        }

        /// <summary>x's length along the axis and the elements after it.</summary>
        private static (int N, int Inner) Run(Shape x, int axis)
        {
            int inner = 1;
            for (int d = axis + 1; d < x.Rank; d++) inner *= x[d];
            return (x[axis], inner);
        }

        public static void Gather(Index1D e, ArrayView<float> x, ArrayView<int> index, ArrayView<float> y, GatherLayout l)
        {
            int s = GatherLayout.Source(e, index[e], l);
            y[e] = s < 0 ? 0f : x[s];
        }

        public static void GatherGradient(Index1D e, ArrayView<float> dy, ArrayView<int> index, ArrayView<float> dx, GatherLayout l)
        {
            int s = GatherLayout.Source(e, index[e], l);
            if (s >= 0) Atomic.Add(ref dx[s], dy[e]);
        }

        public static void Select(Index1D e, ArrayView<float> x, ArrayView<int> ids, ArrayView<float> y, int n, int k, int inner)
        {
            int j = e % inner, i = e / inner % k, o = e / (inner * k), row = ids[i];
            y[e] = row < 0 || row >= n ? 0f : x[((long)o * n + row) * inner + j];
        }

        public static void SelectGradient(Index1D e, ArrayView<float> dy, ArrayView<int> ids, ArrayView<float> dx, int n, int k, int inner)
        {
            int j = e % inner, i = e / inner % k, o = e / (inner * k), row = ids[i];
            if (row >= 0 && row < n) Atomic.Add(ref dx[((long)o * n + row) * inner + j], dy[e]);
        }
    }
}
