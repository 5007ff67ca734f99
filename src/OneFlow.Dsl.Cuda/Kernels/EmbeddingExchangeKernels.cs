using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The embedding exchange's kernels with the CPU kernels' results (Runtime/Kernels/EmbeddingExchange.cs).
    /// The numbering of distinct ids in the order they first appear is found without a hash, so that it is the CPU's
    /// exactly: each lookup finds its id's first lookup, then counts the first lookups of the same owner before that
    /// (quadratic in a requester's lookups, which a batch keeps small). Gradients add with atomics.</summary>
    internal static class EmbeddingExchangeKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            GpuKernels.Add(OpKind.IdSlots, a =>
            {
                var number = Numbering(a);
                return k =>
                {
                    var (rows, layout) = IdSlotsOp.Attributes(k.Op);
                    number(k, rows, layout, k.Out.Cast<int>(), k.Workspace.SubView(0, k.InShape(0).Elements).Cast<int>());
                };
            }, launches: _ => 2);
            GpuKernels.Add(OpKind.IdRequests, a =>
            {
                var number = Numbering(a);
                var clear = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>>(ClearInts);
                var place = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int>(Place);
                return k =>
                {
                    var (rows, layout) = IdSlotsOp.Attributes(k.Op);
                    long lookups = k.InShape(0).Elements;
                    var codes = k.Workspace.SubView(0, lookups).Cast<int>();
                    number(k, rows, layout, codes, k.Workspace.SubView(lookups, lookups).Cast<int>());
                    var requests = k.Out.Cast<int>();
                    clear(k.Stream, (int)requests.Length, requests);
                    place(k.Stream, (int)lookups, k.Ints(0), codes, requests, layout.Capacity, Requester(k, layout) * layout.Devices);
                };
            }, launches: _ => 4);
            GpuKernels.Add(OpKind.RowGather, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, int, int, int, int>(Gather);
                return k => run(k.Stream, k.Threads, k.In(0), k.Ints(1), k.Out, k.Out.Cast<int>(), k.Geometry.InputStarts[0][0], k.InShape(0)[0], k.InShape(0)[1], k.InShape(1)[2]);
            });
            GpuKernels.Add(OpKind.RowGatherGrad, a =>
            {
                var clear = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>>(Clear);
                var scatter = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int>(Scatter);
                return k =>
                {
                    clear(k.Stream, k.Threads, k.Out);
                    int width = k.OutShape[1];
                    scatter(k.Stream, (int)k.InShape(0).Elements * width, k.Ints(0), k.In(1), k.Out, k.InShape(0)[2], k.Geometry.OutputStart[0], k.OutShape[0], width);
                };
            }, launches: _ => 2);
            GpuKernels.Add(OpKind.EmbeddingCombine, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, float>(Combine);
                return k =>
                {
                    var layout = new ExchangeLayout(k.WholeIn(1)[0], EmbeddingCombineOp.Capacity(k.Op));
                    int perRow = EmbeddingCombineOp.Mode(k.Op) >= 0 ? PerRow(k) : 1;
                    run(k.Stream, k.Threads, k.Ints(0), k.In(1), k.Out, layout.Capacity, perRow,
                        Requester(k, layout) * layout.Devices * layout.BlockRows, EmbeddingCombineOp.Scale(k.Op, k.InShape(0)));
                };
            });
            GpuKernels.Add(OpKind.EmbeddingCombineGrad, a =>
            {
                var clear = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>>(Clear);
                var add = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int, float>(CombineBackward);
                var count = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, int, int, int>(Count);
                return k =>
                {
                    var layout = EmbeddingCombineGradOp.Layout(k.Op);
                    int width = EmbeddingCombineGradOp.Width(k.Op), lookups = (int)k.InShape(0).Elements;
                    int perRow = EmbeddingCombineOp.Mode(k.Op) >= 0 ? PerRow(k) : 1, firstBlock = Requester(k, layout) * layout.Devices;
                    clear(k.Stream, k.Threads, k.Out);
                    add(k.Stream, lookups * width, k.Ints(0), k.In(1), k.Out, layout.Capacity, perRow, firstBlock * layout.BlockRows, width,
                        EmbeddingCombineOp.Scale(k.Op, k.InShape(0)));
                    count(k.Stream, lookups, k.Ints(0), k.Out.Cast<int>(), layout.Capacity, firstBlock, width);
                };
            }, launches: _ => 3);
        }

        private static int Requester(GpuKernelContext k, ExchangeLayout layout) => layout.Requester(k.Geometry.InputStarts[0][0], k.WholeIn(0)[0]);

        private static int PerRow(GpuKernelContext k) => k.InShape(0).Rank > 1 ? k.InShape(0)[1] : 1;

        /// <summary>Two launches that write each lookup's slot code into <c>codes</c>, using <c>first</c> (one int per lookup).</summary>
        private static System.Action<GpuKernelContext, int, ExchangeLayout, ArrayView<int>, ArrayView<int>> Numbering(Accelerator a)
        {
            var firsts = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>>(FirstOf);
            var codes = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int, int, int>(Codes);
            return (k, rows, layout, output, first) =>
            {
                int lookups = (int)k.InShape(0).Elements;
                firsts(k.Stream, lookups, k.Ints(0), first);
                codes(k.Stream, lookups, k.Ints(0), first, output, rows, layout.Devices, layout.Capacity, Requester(k, layout));
            };
        }

        public static void FirstOf(Index1D j, ArrayView<int> ids, ArrayView<int> first)
        {
            int t = 0;
            while (ids[t] != ids[j]) t++;
            first[j] = t;
        }

        public static void Codes(Index1D j, ArrayView<int> ids, ArrayView<int> first, ArrayView<int> codes, int rows, int devices, int capacity, int requester)
        {
            var layout = new ExchangeLayout(devices, capacity);
            int id = ids[j];
            if (id < 0 || id >= rows) { codes[j] = -1; return; }
            int owner = layout.Owner(id, rows), position = 0;
            for (int t = 0; t < first[j]; t++)
            {
                int other = ids[t];
                if (first[t] == t && other >= 0 && other < rows && layout.Owner(other, rows) == owner) position++;
            }
            codes[j] = layout.Code(requester, owner, position);
        }

        public static void ClearInts(Index1D i, ArrayView<int> values) => values[i] = 0;

        public static void Clear(Index1D i, ArrayView<float> values) => values[i] = 0f;

        public static void Place(Index1D j, ArrayView<int> ids, ArrayView<int> codes, ArrayView<int> requests, int capacity, int firstBlock)
        {
            int code = codes[j];
            if (code < 0) return;
            var layout = new ExchangeLayout(0, capacity);
            int block = (layout.Block(code) - firstBlock) * layout.BlockRows, position = layout.Position(code);
            requests[block + 1 + position] = ids[j];
            Atomic.Max(ref requests[block], position + 1);
        }

        public static void Gather(Index1D i, ArrayView<float> table, ArrayView<int> requests, ArrayView<float> replies, ArrayView<int> counts,
            int first, int rows, int width, int blockRows)
        {
            int row = i / width, c = i % width, block = row / blockRows * blockRows, u = row % blockRows - 1;
            int count = requests[block];
            if (u < 0)
            {
                if (c == 0) counts[i] = count; else replies[i] = 0f;
                return;
            }
            int local = u < count ? requests[block + 1 + u] - first : -1;
            replies[i] = local >= 0 && local < rows ? table[local * width + c] : 0f;
        }

        public static void Scatter(Index1D i, ArrayView<int> requests, ArrayView<float> gradients, ArrayView<float> dTable, int blockRows, int first, int rows, int width)
        {
            int j = i / width, c = i % width, u = j % blockRows;
            if (u == 0 || u > requests[j - u]) return;
            int local = requests[j] - first;
            if (local >= 0 && local < rows) Atomic.Add(ref dTable[local * width + c], gradients[i]);
        }

        public static void Combine(Index1D i, ArrayView<int> codes, ArrayView<float> replies, ArrayView<float> y, int capacity, int perRow, int firstRow, float scale)
        {
            int width = (int)(y.Length / (codes.Length / perRow));
            int n = i / width, c = i % width;
            float sum = 0f;
            for (int k = 0; k < perRow; k++)
            {
                int code = codes[n * perRow + k];
                if (code >= 0) sum += replies[(new ExchangeLayout(0, capacity).Row(code) - firstRow) * width + c];
            }
            y[i] = sum * scale;
        }

        public static void CombineBackward(Index1D i, ArrayView<int> codes, ArrayView<float> dy, ArrayView<float> dReplies, int capacity, int perRow, int firstRow,
            int width, float scale)
        {
            int j = i / width, c = i % width, code = codes[j];
            if (code >= 0)
                Atomic.Add(ref dReplies[(new ExchangeLayout(0, capacity).Row(code) - firstRow) * width + c], scale * dy[j / perRow * width + c]);
        }

        public static void Count(Index1D j, ArrayView<int> codes, ArrayView<int> counts, int capacity, int firstBlock, int width)
        {
            int code = codes[j];
            if (code < 0) return;
            var layout = new ExchangeLayout(0, capacity);
            Atomic.Max(ref counts[(layout.Block(code) - firstBlock) * layout.BlockRows * width], layout.Position(code) + 1);
        }
    }
}
