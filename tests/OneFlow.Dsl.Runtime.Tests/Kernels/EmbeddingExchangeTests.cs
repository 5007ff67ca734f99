using System.Linq;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>A requester's side of the embedding exchange: an id looked up several times is asked for once, of the
    /// device holding its row, and every lookup finds its row again.</summary>
    public class EmbeddingExchangeTests
    {
        // A table of 10 rows over 3 owners holds rows 0-3, 4-6 and 7-9; this is requester 1 of 3, capacity 8.
        private static readonly ExchangeLayout Layout = new ExchangeLayout(3, 8);
        private static readonly int[] Ids = { 5, 0, 5, 9, 12, 0, 3, 5 };

        [Fact]
        public void Each_distinct_id_is_requested_once_from_its_owner_in_the_order_it_first_appears()
        {
            var codes = new int[Ids.Length];
            EmbeddingExchange.Slots(Ids, 10, Layout, 1, codes, new int[4 * Ids.Length]);
            var requests = new int[3 * 9];
            EmbeddingExchange.Requests(Ids, codes, Layout, 1, requests);
            Assert.Equal(new[] { 2, 0, 3, 0, 0, 0, 0, 0, 0 }, requests.Take(9));
            Assert.Equal(new[] { 1, 5, 0, 0, 0, 0, 0, 0, 0 }, requests.Skip(9).Take(9));
            Assert.Equal(new[] { 1, 9, 0, 0, 0, 0, 0, 0, 0 }, requests.Skip(18).Take(9));
            // Lookups of one id share a slot; an id outside the table has none.
            Assert.Equal(codes[0], codes[2]);
            Assert.Equal(codes[0], codes[7]);
            Assert.Equal(codes[1], codes[5]);
            Assert.Equal(-1, codes[4]);
            Assert.Equal(Layout.Code(1, 2, 0), codes[3]);
        }

        [Fact]
        public void Every_lookup_reads_the_row_of_its_id_back_from_the_replies()
        {
            var codes = new int[Ids.Length];
            EmbeddingExchange.Slots(Ids, 10, Layout, 1, codes, new int[4 * Ids.Length]);
            var requests = new int[3 * 9];
            EmbeddingExchange.Requests(Ids, codes, Layout, 1, requests);
            // Each owner answers its block from the whole table (row r holds r + 0.5, r + 0.25); the replies as requester 1 receives them.
            var table = Enumerable.Range(0, 10).SelectMany(r => new[] { r + 0.5f, r + 0.25f }).ToArray();
            var replies = new float[3 * 9 * 2];
            EmbeddingExchange.Gather(table, 0, 10, 2, requests, 9, replies);
            var y = new float[Ids.Length * 2];
            EmbeddingExchange.Combine(codes, 1, bag: false, 1f, Layout, 1, replies, y);
            var expected = Ids.SelectMany(id => id < 10 ? new[] { id + 0.5f, id + 0.25f } : new[] { 0f, 0f }).ToArray();
            Assert.Equal(expected, y);
        }
    }
}
