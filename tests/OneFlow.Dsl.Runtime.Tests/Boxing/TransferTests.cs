using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;
using OneFlow.Dsl.Runtime.Boxing;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Boxing
{
    /// <summary>Every boxing transition moves the right values: the parts of a random tensor laid out as the source
    /// SBP, converted, equal that tensor laid out as the target SBP, for even and uneven splits.</summary>
    public unsafe class TransferTests
    {
        public static TheoryData<string, string, int> Transitions() => new TheoryData<string, string, int>
        {
            { "S(0)", "B", 4 }, { "S(1)", "B", 3 }, { "P", "B", 4 }, { "P", "S(0)", 3 }, { "P", "S(1)", 4 },
            { "B", "S(0)", 4 }, { "B", "S(1)", 3 }, { "S(0)", "S(1)", 4 }, { "S(1)", "S(0)", 3 },
            { "B", "P", 4 }, { "S(0)", "P", 3 }, { "S(1)", "P", 4 }, { "S(0)", "S(0)", 4 },
        };

        [Theory]
        [MemberData(nameof(Transitions))]
        public void Converted_parts_equal_the_target_layout(string from, string to, int devices)
        {
            var shape = new Shape(10, 7);
            Sbp source = Sbp.Parse(from), target = Sbp.Parse(to);
            Assert.NotEqual(BoxingKind.Unsupported, Planner.Passes.Boxing.KindOf(source, target));
            var random = new Random(1);
            var whole = Enumerable.Range(0, 70).Select(_ => (float)random.NextDouble()).ToArray();
            var parts = Layout(whole, shape, source, devices, random);
            var transfer = Transfer.Between(shape, source, devices, target, devices);
            if (target.IsPartial)
            {
                AssertPartsSumTo(whole, Apply(transfer, parts, devices, 70));
                return;
            }
            for (int d = 0; d < devices; d++)
            {
                var expected = Layout(whole, shape, target, devices, null)[d];
                var actual = new float[expected.Length];
                var handles = parts.Select(p => System.Runtime.InteropServices.GCHandle.Alloc(p, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
                try
                {
                    var pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
                    fixed (float* dst = actual) transfer.Apply(d, pointers, dst);
                }
                finally { foreach (var h in handles) h.Free(); }
                for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
            }
        }

        private static float[][] Apply(Transfer transfer, float[][] parts, int devices, int elements)
        {
            var outputs = new float[devices][];
            var handles = parts.Select(p => System.Runtime.InteropServices.GCHandle.Alloc(p, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
                for (int d = 0; d < devices; d++)
                {
                    outputs[d] = Enumerable.Repeat(float.NaN, elements).ToArray();
                    fixed (float* dst = outputs[d]) transfer.Apply(d, pointers, dst);
                }
            }
            finally { foreach (var h in handles) h.Free(); }
            return outputs;
        }

        private static void AssertPartsSumTo(float[] whole, float[][] parts)
        {
            for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], parts.Sum(p => p[i]), 5);
        }

        /// <summary>Device parts of <paramref name="whole"/> under <paramref name="sbp"/>; partial sums are random
        /// addends (which is why a random source is passed).</summary>
        private static float[][] Layout(float[] whole, Shape shape, Sbp sbp, int devices, Random? random)
        {
            var parts = new float[devices][];
            for (int d = 0; d < devices; d++)
            {
                var region = Region.Of(shape, sbp, devices, d);
                parts[d] = new float[region.Elements];
                int rows = region.Length[0], cols = region.Length[1];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        parts[d][r * cols + c] = whole[(region.Start[0] + r) * 7 + region.Start[1] + c];
            }
            if (!sbp.IsPartial) return parts;
            for (int i = 0; i < whole.Length; i++)
            {
                float rest = whole[i];
                for (int d = 0; d < devices - 1; d++) { float share = (float)random!.NextDouble(); parts[d][i] = share; rest -= share; }
                parts[devices - 1][i] = rest;
            }
            return parts;
        }
    }
}
