using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The embedding exchange's kernels (layout in <see cref="ExchangeLayout"/>): a requester numbers its
    /// distinct ids per owner and writes its requests; an owner answers them from its rows and, dense, adds their
    /// gradients into its part; a requester assembles its lookups from the replies and sums their gradients per id.
    /// Outputs are written whole, rows past a block's count zero, so that a part's bytes never depend on what the arena
    /// held before (nothing reads them: transfers, lookups and updates stop at the count).</summary>
    internal static class EmbeddingExchange
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.IdSlots, k =>
            {
                var (rows, layout) = IdSlotsOp.Attributes(k.Op);
                Slots(k.Ints(0), rows, layout, Requester(k, layout), k.OutInts, Hash(k, 0));
            });
            CpuKernels.Add(OpKind.IdRequests, k =>
            {
                var (rows, layout) = IdSlotsOp.Attributes(k.Op);
                int requester = Requester(k, layout), lookups = (int)k.InShape(0).Elements;
                var codes = Ints(k, 0, lookups);
                Slots(k.Ints(0), rows, layout, requester, codes, Hash(k, lookups));
                Requests(k.Ints(0), codes, layout, requester, k.OutInts);
            });
            CpuKernels.Add(OpKind.RowGather, k => Gather(k.In(0), k.Geometry.InputStarts[0][0], k.InShape(0)[0], k.InShape(0)[1], k.Ints(1), k.InShape(1)[2], k.Out));
            CpuKernels.Add(OpKind.RowGatherGrad, k => Scatter(k.Ints(0), k.InShape(0)[2], k.In(1), k.Geometry.OutputStart[0], k.OutShape[0], k.OutShape[1], k.Out));
            CpuKernels.Add(OpKind.EmbeddingCombine, k =>
            {
                var layout = new ExchangeLayout(k.WholeIn(1)[0], EmbeddingCombineOp.Capacity(k.Op));
                Combine(k.Ints(0), PerRow(k), EmbeddingCombineOp.Mode(k.Op) >= 0, EmbeddingCombineOp.Scale(k.Op, k.InShape(0)), layout,
                    Requester(k, layout), k.In(1), k.Out);
            });
            CpuKernels.Add(OpKind.EmbeddingCombineGrad, k =>
            {
                var layout = EmbeddingCombineGradOp.Layout(k.Op);
                CombineBackward(k.Ints(0), PerRow(k), EmbeddingCombineOp.Mode(k.Op) >= 0, EmbeddingCombineOp.Scale(k.Op, k.InShape(0)), layout,
                    Requester(k, layout), k.In(1), EmbeddingCombineGradOp.Width(k.Op), k.Out);
            });
        }

        /// <summary>Which requester this part of the lookups (the first operand, split by rows) belongs to.</summary>
        private static int Requester(KernelContext k, ExchangeLayout layout) => layout.Requester(k.Geometry.InputStarts[0][0], k.WholeIn(0)[0]);

        private static int PerRow(KernelContext k) => k.InShape(0).Rank > 1 ? k.InShape(0)[1] : 1;

        private static unsafe Span<int> Ints(CpuKernelContext k, int offset, int length) => new Span<int>((int*)k.Workspace + offset, length);

        /// <summary>The hash (ids, then their codes) after <paramref name="offset"/> ints of the workspace.</summary>
        private static Span<int> Hash(CpuKernelContext k, int offset) => Ints(k, offset, 2 * IdSlotsOp.HashSlots(k.InShape(0).Elements));

        /// <summary>codes[j] = (requester·p + owner)·c + the position of ids[j] among the distinct ids this requester
        /// asks of that owner, in the order they first appear; −1 for an id outside the table.</summary>
        public static void Slots(ReadOnlySpan<int> ids, int rows, ExchangeLayout layout, int requester, Span<int> codes, Span<int> hash)
        {
            int capacity = hash.Length / 2, shift = 32 - System.Numerics.BitOperations.Log2((uint)capacity);
            var keys = hash.Slice(0, capacity);
            var values = hash.Slice(capacity, capacity);
            keys.Fill(-1);
            Span<int> next = layout.Devices <= 256 ? stackalloc int[layout.Devices] : new int[layout.Devices];
            next.Clear();
            for (int j = 0; j < ids.Length; j++)
            {
                int id = ids[j];
                if ((uint)id >= (uint)rows) { codes[j] = -1; continue; }
                int slot = (int)((uint)id * 2654435761u >> shift);
                while (keys[slot] != -1 && keys[slot] != id) slot = (slot + 1) & (capacity - 1);
                if (keys[slot] == -1)
                {
                    int owner = layout.Owner(id, rows);
                    keys[slot] = id;
                    values[slot] = layout.Code(requester, owner, next[owner]++);
                }
                codes[j] = values[slot];
            }
        }

        /// <summary>This requester's blocks [p, 1 + c]: each owner's count, then its distinct ids at their positions.</summary>
        public static void Requests(ReadOnlySpan<int> ids, ReadOnlySpan<int> codes, ExchangeLayout layout, int requester, Span<int> requests)
        {
            requests.Clear();
            int first = requester * layout.Devices;
            for (int j = 0; j < ids.Length; j++)
            {
                int code = codes[j];
                if (code < 0) continue;
                int block = (layout.Block(code) - first) * layout.BlockRows, position = layout.Position(code);
                requests[block + 1 + position] = ids[j];
                requests[block] = Math.Max(requests[block], position + 1);
            }
        }

        /// <summary>An owner's replies: for each block of requests received ([1 + c] ints), the header row with the count,
        /// then the rows of the requested ids from this device's rows [first, first + rows) of the table.</summary>
        public static void Gather(ReadOnlySpan<float> table, int first, int rows, int width, ReadOnlySpan<int> requests, int blockRows, Span<float> replies)
        {
            replies.Clear();
            var counts = MemoryMarshal.Cast<float, int>(replies);
            for (int b = 0; b * blockRows < requests.Length; b++)
            {
                int count = requests[b * blockRows];
                counts[b * blockRows * width] = count;
                for (int u = 0; u < count; u++)
                {
                    int local = requests[b * blockRows + 1 + u] - first;
                    if ((uint)local < (uint)rows) table.Slice(local * width, width).CopyTo(replies.Slice((b * blockRows + 1 + u) * width, width));
                }
            }
        }

        /// <summary>d table, dense: each received gradient row added into the row of its id on this device.</summary>
        public static void Scatter(ReadOnlySpan<int> requests, int blockRows, ReadOnlySpan<float> gradients, int first, int rows, int width, Span<float> dTable)
        {
            dTable.Clear();
            for (int b = 0; b * blockRows < requests.Length; b++)
                for (int u = 0; u < requests[b * blockRows]; u++)
                {
                    int local = requests[b * blockRows + 1 + u] - first;
                    if ((uint)local >= (uint)rows) continue;
                    var target = dTable.Slice(local * width, width);
                    AddScaled(gradients.Slice((b * blockRows + 1 + u) * width, width), 1, target);
                }
        }

        /// <summary>target += scale · row; rows of a few elements (a wide model's weights) in a plain loop, which costs less
        /// than a vectorised call's set-up.</summary>
        private static void AddScaled(ReadOnlySpan<float> row, float scale, Span<float> target)
        {
            if (row.Length >= 16) TensorPrimitives.MultiplyAdd(row, scale, target, target);
            else for (int d = 0; d < row.Length; d++) target[d] += scale * row[d];
        }

        /// <summary>Lookup j's row is its slot's row of the replies; a bag adds its K rows times the factor.</summary>
        public static void Combine(ReadOnlySpan<int> codes, int perRow, bool bag, float scale, ExchangeLayout layout, int requester,
            ReadOnlySpan<float> replies, Span<float> y)
        {
            int width = y.Length / (bag ? codes.Length / perRow : codes.Length);
            int firstRow = requester * layout.Devices * layout.BlockRows;
            if (bag) y.Clear();
            for (int j = 0; j < codes.Length; j++)
            {
                var target = y.Slice((bag ? j / perRow : j) * width, width);
                if (codes[j] < 0)
                {
                    if (!bag) target.Clear();
                    continue;
                }
                var row = replies.Slice((layout.Row(codes[j]) - firstRow) * width, width);
                if (!bag) row.CopyTo(target);
                else AddScaled(row, scale, target);
            }
        }

        /// <summary>d replies: lookup j's dy row (times the factor) added into its slot's row, the header rows counting
        /// each block's slots.</summary>
        public static void CombineBackward(ReadOnlySpan<int> codes, int perRow, bool bag, float scale, ExchangeLayout layout, int requester,
            ReadOnlySpan<float> dy, int width, Span<float> dReplies)
        {
            int firstBlock = requester * layout.Devices, firstRow = firstBlock * layout.BlockRows;
            dReplies.Clear();
            var counts = MemoryMarshal.Cast<float, int>(dReplies);
            for (int j = 0; j < codes.Length; j++)
            {
                int code = codes[j];
                if (code < 0) continue;
                AddScaled(dy.Slice((bag ? j / perRow : j) * width, width), scale, dReplies.Slice((layout.Row(code) - firstRow) * width, width));
                ref int count = ref counts[(layout.Block(code) - firstBlock) * layout.BlockRows * width];
                count = Math.Max(count, layout.Position(code) + 1);
            }
        }
    }
}
