using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Eager splits give PyTorch's parts (the last shorter, Chunk's fewer where they cover the axis sooner),
    /// taken apart by name only with the right count; stacking and concatenating put them back.</summary>
    public class SplitTests
    {
        [Fact]
        public void Split_and_chunk_cut_as_pytorch_and_concat_puts_the_parts_back()
        {
            var x = Data.Floats(1, 3, 5);
            var parts = Ops.Split(x, 2, axis: 1);
            Assert.Equal(new[] { 2, 2, 1 }, parts.Select(p => p.Shape[1]).ToArray());
            Assert.Equal(x.ToArray(), Ops.Concat(parts, 1).ToArray());
            // torch.chunk(x, 4, 1) of 5 columns: pieces of 2, so three parts.
            Assert.Equal(new[] { 2, 2, 1 }, Ops.Chunk(x, 4, axis: 1).Select(p => p.Shape[1]).ToArray());
            var (a, b) = Ops.Chunk(x, 2, axis: 0);
            Assert.Equal(new[] { 2, 5 }, a.Shape.ToArray());
            Assert.Equal(new[] { 1, 5 }, b.Shape.ToArray());
        }

        [Fact]
        public void Taking_apart_another_count_of_parts_is_refused()
        {
            var x = Data.Floats(2, 4, 6);
            var (q, k, v) = Ops.Chunk(x, 3, axis: -1);
            Assert.Equal(Ops.Slice(x, 1, 4, 2).ToArray(), v.ToArray());
            var e = Assert.Throws<ArgumentException>(() => { var (m, n) = Ops.Chunk(x, 3, axis: -1); });
            Assert.StartsWith("The split gave 3 parts, not the 2 taken apart.", e.Message);
        }

        [Fact]
        public void Stack_joins_along_a_new_axis()
        {
            var a = Data.Floats(3, 2, 3);
            var b = Data.Floats(4, 2, 3);
            var s = Ops.Stack(new[] { a, b }, axis: 1);
            Assert.Equal(new[] { 2, 2, 3 }, s.Shape.ToArray());
            Assert.Equal(b[1, 2], s[1, 1, 2]);
            Assert.Equal(a[0, 1], s[0, 0, 1]);
        }
    }
}
