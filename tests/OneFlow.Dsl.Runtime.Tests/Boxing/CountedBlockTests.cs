using System;
using System.Linq;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime.Boxing;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Boxing
{
    /// <summary>The embedding exchange's all-to-all of counted blocks ([p, p, (1 + c)·D], split by the first axis,
    /// then by the second): each block's header row and counted rows arrive, and nothing past them is written, so the
    /// bytes moved follow the distinct ids, not the capacity.</summary>
    public unsafe class CountedBlockTests
    {
        [Fact]
        public void A_counted_block_moves_its_header_and_counted_rows_only()
        {
            const int devices = 3, capacity = 4, width = 2, block = (capacity + 1) * width;
            var placement = Placement.Parse("cpu:0-2");
            var transfer = Transfer.Between(new Shape(devices, devices, block), NdSbp.Parse("S(0)"), placement, NdSbp.Parse("S(1)"), placement, raggedRow: width);
            // Source i's block for destination j counts (i + j) % 4 rows; every element is its own position + 1000.
            var sources = Enumerable.Range(0, devices).Select(i => Enumerable.Range(0, devices * block).Select(e => 1000f + i * devices * block + e).ToArray()).ToArray();
            for (int i = 0; i < devices; i++)
                for (int j = 0; j < devices; j++)
                    sources[i][j * block] = BitConverter.Int32BitsToSingle((i + j) % 4);
            var handles = sources.Select(s => GCHandle.Alloc(s, GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
                for (int j = 0; j < devices; j++)
                {
                    var received = Enumerable.Repeat(-1f, devices * block).ToArray();
                    fixed (float* dst = received) transfer.Apply(j, pointers, dst);
                    for (int i = 0; i < devices; i++)
                    {
                        int used = (1 + (i + j) % 4) * width;
                        Assert.Equal(sources[i].Skip(j * block).Take(used), received.Skip(i * block).Take(used));
                        Assert.All(received.Skip(i * block + used).Take(block - used), v => Assert.Equal(-1f, v));
                    }
                }
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
        }

        [Fact]
        public void Runs_that_are_not_whole_blocks_are_refused()
        {
            var placement = Placement.Parse("cpu:0-1");
            var e = Assert.Throws<InvalidOperationException>(() => Transfer.Between(new Shape(2, 2, 6), NdSbp.Parse("S(0)"), placement, NdSbp.Parse("S(2)"), placement, raggedRow: 3));
            Assert.Contains("not whole blocks", e.Message);
        }
    }
}
