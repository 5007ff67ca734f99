using System;
using System.Linq;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime.Boxing;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Boxing
{
    /// <summary>Every SBP transition, on 1-D placements and on 2-D meshes (all 16 two-axis SBPs, 256 transitions each),
    /// with even and uneven splits: a random tensor laid out as the source SBP (partial sums as random shares),
    /// converted, and put back together from the target layout, is the tensor again. The layouts here are computed
    /// without the production code (<see cref="Region"/>): each split mesh axis cuts the part the axes before it left,
    /// the first parts one longer where the length does not divide.</summary>
    public unsafe class TransferTests
    {
        private static readonly string[] OneD = { "S(0)", "S(1)", "B", "P" };
        /// <summary>Every two-axis SBP: S(0), S(1), B or P on each mesh axis, 16 in all.</summary>
        private static readonly string[] TwoD = (from a in OneD from b in OneD select a + "," + b).ToArray();

        public static TheoryData<string> Placements() => new TheoryData<string> { "cpu:0-3", "cpu:0-2", "2x2:cpu", "2x3:cpu" };

        [Theory]
        [MemberData(nameof(Placements))]
        public void Every_transition_preserves_the_tensor(string placementText)
        {
            var placement = Placement.Parse(placementText);
            var layouts = (placement.MeshRank == 1 ? OneD : TwoD).Select(NdSbp.Parse).ToArray();
            var shape = new Shape(10, 7);
            var random = new Random(1);
            var whole = Enumerable.Range(0, 70).Select(_ => (float)random.NextDouble()).ToArray();
            foreach (var from in layouts)
                foreach (var to in layouts)
                {
                    var parts = Layout(whole, shape, from, placement, random);
                    var converted = Apply(Transfer.Between(shape, from, placement, to, placement), parts, shape, to, placement);
                    var back = Reconstruct(converted, shape, to, placement);
                    for (int i = 0; i < whole.Length; i++)
                        Assert.True(Math.Abs(whole[i] - back[i]) <= 1e-5f, $"{from} -> {to} on {placement}: element {i} is {back[i]}, not {whole[i]}");
                }
        }

        /// <summary>Between placements of different sizes: S(0) on two devices becomes S(1) on three.</summary>
        [Fact]
        public void Transfer_between_placements_of_different_sizes()
        {
            var shape = new Shape(10, 7);
            Placement two = Placement.Parse("cpu:0-1"), three = Placement.Parse("cpu:2-4");
            var random = new Random(3);
            var whole = Enumerable.Range(0, 70).Select(_ => (float)random.NextDouble()).ToArray();
            foreach (var (from, to) in new[] { ("S(0)", "S(1)"), ("P", "B"), ("B", "S(0)"), ("S(1)", "P") })
            {
                var parts = Layout(whole, shape, NdSbp.Parse(from), two, random);
                var converted = Apply(Transfer.Between(shape, NdSbp.Parse(from), two, NdSbp.Parse(to), three), parts, shape, NdSbp.Parse(to), three);
                var back = Reconstruct(converted, shape, NdSbp.Parse(to), three);
                for (int i = 0; i < whole.Length; i++) Assert.True(Math.Abs(whole[i] - back[i]) <= 1e-5f, $"{from} -> {to}: element {i}");
            }
        }

        private static float[][] Apply(Transfer transfer, float[][] parts, Shape shape, NdSbp to, Placement placement)
        {
            var handles = parts.Select(p => GCHandle.Alloc(p, GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
                return Enumerable.Range(0, placement.Count).Select(d =>
                {
                    var output = Enumerable.Repeat(float.NaN, Box(shape, to, placement, d).Elements).ToArray();
                    fixed (float* dst = output) transfer.Apply(d, pointers, dst);
                    return output;
                }).ToArray();
            }
            finally { foreach (var h in handles) h.Free(); }
        }

        /// <summary>Each device's part: its region of the tensor, times its random share where the SBP is partial
        /// (per partial mesh axis, shares that add up to one along the axis).</summary>
        private static float[][] Layout(float[] whole, Shape shape, NdSbp sbp, Placement placement, Random random)
        {
            var shares = placement.Mesh.Select(n =>
            {
                var r = Enumerable.Range(0, n).Select(_ => random.NextDouble() + 0.5).ToArray();
                return r.Select(x => x / r.Sum()).ToArray();
            }).ToArray();
            return Enumerable.Range(0, placement.Count).Select(d =>
            {
                var region = Box(shape, sbp, placement, d);
                double share = 1;
                var c = placement.Coordinates(d);
                for (int k = 0; k < placement.MeshRank; k++)
                    if (sbp[k].IsPartial) share *= shares[k][c[k]];
                var part = new float[region.Elements];
                for (int r = 0; r < region.Length[0]; r++)
                    for (int col = 0; col < region.Length[1]; col++)
                        part[r * region.Length[1] + col] = (float)(whole[(region.Start[0] + r) * 7 + region.Start[1] + col] * share);
                return part;
            }).ToArray();
        }

        /// <summary>Device <paramref name="d"/>'s box of a 2-D tensor: for each tensor axis, the mesh axes that split it
        /// cut it in turn, mesh axis 0 first, each into even parts (the first ones a row longer where it does not divide).</summary>
        private static (int[] Start, int[] Length, int Elements) Box(Shape shape, NdSbp sbp, Placement placement, int d)
        {
            var c = placement.Coordinates(d);
            int[] start = { 0, 0 }, length = { shape[0], shape[1] };
            for (int k = 0; k < placement.MeshRank; k++)
            {
                if (!sbp[k].IsSplit) continue;
                int axis = sbp[k].Axis, n = placement.Mesh[k], i = c[k], q = length[axis] / n, r = length[axis] % n;
                start[axis] += i * q + Math.Min(i, r);
                length[axis] = q + (i < r ? 1 : 0);
            }
            return (start, length, length[0] * length[1]);
        }

        /// <summary>The tensor a layout stands for: each part added into its region once per partial group, reading
        /// one replica of every broadcast axis.</summary>
        private static float[] Reconstruct(float[][] parts, Shape shape, NdSbp sbp, Placement placement)
        {
            var whole = new float[70];
            for (int d = 0; d < placement.Count; d++)
            {
                var c = placement.Coordinates(d);
                if (Enumerable.Range(0, placement.MeshRank).Any(k => sbp[k].IsBroadcast && c[k] != 0)) continue;
                var region = Box(shape, sbp, placement, d);
                for (int r = 0; r < region.Length[0]; r++)
                    for (int col = 0; col < region.Length[1]; col++)
                        whole[(region.Start[0] + r) * 7 + region.Start[1] + col] += parts[d][r * region.Length[1] + col];
            }
            return whole;
        }
    }
}
