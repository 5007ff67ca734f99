using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>Memory sizes as a budget is written: binary units, spelled MiB or MB alike.</summary>
    public class ByteSizeTests
    {
        [Theory]
        [InlineData("80 MiB", 80L << 20)]
        [InlineData("80 MB", 80L << 20)]
        [InlineData("1.5 GiB", 3L << 29)]
        [InlineData("1.5gb", 3L << 29)]
        [InlineData("800 KiB", 800L << 10)]
        [InlineData("4096 B", 4096)]
        [InlineData("4096", 4096)]
        public void A_size_is_read_in_binary_units(string text, long bytes)
        {
            Assert.True(ByteSize.TryParse(text, out long read));
            Assert.Equal(bytes, read);
        }

        [Theory]
        [InlineData("lots")]
        [InlineData("-5 MiB")]
        [InlineData("0 MiB")]
        [InlineData("5 MIBS")]
        public void Anything_else_is_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));
    }
}
