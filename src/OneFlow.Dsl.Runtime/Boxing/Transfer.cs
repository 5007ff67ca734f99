using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Runtime.Boxing
{
    /// <summary>One source part's contribution to one destination part.</summary>
    public sealed record TransferPart(int Source, int Destination, Segment[] Segments);

    /// <summary>A precomputed SBP conversion of one logical tensor over n devices: for each destination part, the
    /// source parts it reads and the runs to copy. Partial sums add their sources in device order, so the result
    /// is the same bits whichever thread runs it.</summary>
    public sealed class Transfer
    {
        public bool Sums { get; }
        /// <summary>Per destination device, its contributions in the order they are applied.</summary>
        public TransferPart[][] Parts { get; }
        /// <summary>Per destination, the element count to zero first, for a partial-sum destination that only
        /// some of the value lands on (0 where the contributions cover it).</summary>
        private readonly long[] _zeroFirst;

        private Transfer(bool sums, TransferPart[][] parts, long[] zeroFirst) { Sums = sums; Parts = parts; _zeroFirst = zeroFirst; }

        /// <summary><paramref name="from"/> is the layout of the sources, <paramref name="to"/> of the destinations.
        /// A broadcast source is read on the destination's own device only: no data crosses devices. A partial-sum
        /// destination made from whole values (B→P, S→P) starts from zeros and takes only what its own device holds,
        /// the first device taking a broadcast value, so that the parts add up to the value exactly once.</summary>
        public static Transfer Between(Shape logical, Sbp from, int sources, Sbp to, int destinations)
        {
            var parts = new TransferPart[destinations][];
            var zeroFirst = new long[destinations];
            bool makesPartial = to.IsPartial && !from.IsPartial;
            for (int d = 0; d < destinations; d++)
            {
                var dst = Region.Of(logical, to, destinations, d);
                var list = new List<TransferPart>();
                for (int s = 0; s < sources; s++)
                {
                    if (from.IsBroadcast && s != Math.Min(d, sources - 1)) continue;
                    if (makesPartial && (s != d || (from.IsBroadcast && d != 0))) continue;
                    var segments = Region.Overlap(Region.Of(logical, from, sources, s), dst);
                    if (segments.Count > 0) list.Add(new TransferPart(s, d, segments.ToArray()));
                }
                parts[d] = list.ToArray();
                if (makesPartial) zeroFirst[d] = dst.Elements;
            }
            return new Transfer(from.IsPartial, parts, zeroFirst);
        }

        /// <summary>Writes destination <paramref name="destination"/>'s part from the given source buffers.</summary>
        public unsafe void Apply(int destination, ReadOnlySpan<IntPtr> sources, float* dst)
        {
            if (_zeroFirst[destination] > 0) NativeMemory.Clear(dst, (nuint)(_zeroFirst[destination] * sizeof(float)));
            bool first = true;
            foreach (var part in Parts[destination])
            {
                float* src = (float*)sources[part.Source];
                foreach (var s in part.Segments)
                {
                    var from = new ReadOnlySpan<float>(src + s.Src, s.Length);
                    var to = new Span<float>(dst + s.Dst, s.Length);
                    if (Sums && !first) TensorPrimitives.Add(to, from, to); else from.CopyTo(to);
                }
                first = false;
            }
        }
    }
}
