using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Runtime.Boxing
{
    /// <summary>One source part's contribution to one destination part.</summary>
    internal sealed record TransferPart(int Source, int Destination, Segment[] Segments);

    /// <summary>A precomputed SBP conversion of one logical tensor between two meshes (a boxing op, a transfer
    /// between placements, or a host feed or fetch seen as a one-device mesh; a mesh of lower rank is lifted): for each destination part, the source parts it reads and
    /// the runs to copy. Partial sums are added in device order, so the result is the same bits whichever thread
    /// runs it.</summary>
    internal sealed class Transfer
    {
        /// <summary>Per destination device, its contributions in the order they are applied.</summary>
        public TransferPart[][] Parts { get; }
        /// <summary>Per destination, whether it starts from zeros and adds every contribution (partial sums in or
        /// out) rather than copying disjoint pieces.</summary>
        private readonly bool[] _accumulate;
        private readonly long[] _elements;

        /// <summary>Elements per counted row where the tensor is made of counted blocks (each run one block); else 0.</summary>
        public int RaggedRow { get; }

        private Transfer(TransferPart[][] parts, bool[] accumulate, long[] elements, int raggedRow)
        {
            Parts = parts;
            _accumulate = accumulate;
            _elements = elements;
            RaggedRow = raggedRow;
        }

        /// <summary>How much of a run of <paramref name="length"/> elements at <paramref name="run"/> must move: all of it,
        /// or, of a counted block, its header row and counted rows (the count is the block's first element, an int).</summary>
        public unsafe int Used(float* run, int length)
            => RaggedRow == 0 ? length : (int)Math.Min(length, (1L + *(int*)run) * RaggedRow);

        /// <summary>For each mesh axis and destination coordinate, which source coordinates contribute: a partial
        /// source is summed over its whole axis (unless the destination stays partial there); a broadcast source is
        /// read at the destination's own coordinate (a local copy); a split source is read wherever it overlaps.
        /// A partial destination made from whole values takes them at coordinate 0 only (B→P) or the slices of the
        /// sources whose coordinate maps to its own (S→P), so that the parts add up to the value exactly once.</summary>
        /// <param name="raggedRow">For a tensor of counted blocks (<c>PlanTensor.RaggedRow</c>), each run must be one whole
        /// block: only its counted rows are copied.</param>
        public static Transfer Between(Shape logical, NdSbp from, Placement sources, NdSbp to, Placement destinations, int raggedRow = 0)
        {
            int rank = Math.Max(sources.MeshRank, destinations.MeshRank);
            (sources, from, destinations, to) = (sources.Lifted(rank), from.Lifted(rank), destinations.Lifted(rank), to.Lifted(rank));
            var parts = new TransferPart[destinations.Count][];
            var accumulate = new bool[destinations.Count];
            var elements = new long[destinations.Count];
            for (int d = 0; d < destinations.Count; d++)
            {
                var c = destinations.Coordinates(d);
                var perAxis = new List<int>[rank];
                bool sums = false;
                for (int k = 0; k < rank; k++)
                {
                    Sbp a = from[k], b = to[k];
                    int n = sources.Mesh[k];
                    if (a.IsPartial && b.IsPartial)
                    {
                        // Between placements of different sizes, source s adds into destination s mod n'.
                        perAxis[k] = Enumerable.Range(0, n).Where(x => x % destinations.Mesh[k] == c[k]).ToList();
                        sums |= n != destinations.Mesh[k];
                    }
                    else if (a.IsPartial) { perAxis[k] = Enumerable.Range(0, n).ToList(); sums = true; }
                    else if (b.IsPartial)
                    {
                        // Every source slice lands on exactly one destination: source s on destination s mod n'.
                        perAxis[k] = a.IsBroadcast
                            ? (c[k] == 0 ? new List<int> { 0 } : new List<int>())
                            : Enumerable.Range(0, n).Where(x => x % destinations.Mesh[k] == c[k]).ToList();
                        sums = true;
                    }
                    else if (a.IsBroadcast) perAxis[k] = new List<int> { Math.Min(c[k], n - 1) };
                    else perAxis[k] = Enumerable.Range(0, n).ToList();
                }
                var dst = Region.Of(logical, to, destinations, d);
                var list = new List<TransferPart>();
                foreach (var coordinates in Product(perAxis))
                {
                    int s = sources.IndexOf(coordinates);
                    var segments = Region.Overlap(Region.Of(logical, from, sources, s), dst);
                    if (segments.Count > 0) list.Add(new TransferPart(s, d, segments.ToArray()));
                }
                parts[d] = list.ToArray();
                accumulate[d] = sums;
                elements[d] = dst.Elements;
            }
            if (raggedRow > 0 && parts.SelectMany(p => p).SelectMany(p => p.Segments).Any(s => s.Length != logical[logical.Rank - 1] || s.Src % s.Length != 0))
                throw new InvalidOperationException($"A tensor of counted blocks {logical} moves {from} → {to} in runs that are not whole blocks.");
            return new Transfer(parts, accumulate, elements, raggedRow);
        }

        private static IEnumerable<int[]> Product(List<int>[] axes)
        {
            IEnumerable<int[]> result = new[] { new int[0] };
            foreach (var axis in axes) result = result.SelectMany(prefix => axis.Select(x => prefix.Concat(new[] { x }).ToArray())).ToList();
            return result;
        }

        /// <summary>Writes destination <paramref name="destination"/>'s part from the given source buffers.</summary>
        public unsafe void Apply(int destination, ReadOnlySpan<IntPtr> sources, float* dst)
        {
            bool accumulate = _accumulate[destination];
            if (accumulate) NativeMemory.Clear(dst, (nuint)(_elements[destination] * sizeof(float)));
            foreach (var part in Parts[destination])
            {
                float* src = (float*)sources[part.Source];
                foreach (var s in part.Segments)
                {
                    int length = Used(src + s.Src, s.Length);
                    var from = new ReadOnlySpan<float>(src + s.Src, length);
                    var to = new Span<float>(dst + s.Dst, length);
                    if (accumulate) TensorPrimitives.Add(to, from, to); else from.CopyTo(to);
                }
            }
        }
    }
}
