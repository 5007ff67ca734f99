using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
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

        private Transfer(bool sums, TransferPart[][] parts) { Sums = sums; Parts = parts; }

        /// <summary><paramref name="from"/> is the layout of the sources, <paramref name="to"/> of the destinations.
        /// A broadcast source is read on the destination's own device only: no data crosses devices.</summary>
        public static Transfer Between(Shape logical, Sbp from, int sources, Sbp to, int destinations)
        {
            var parts = new TransferPart[destinations][];
            for (int d = 0; d < destinations; d++)
            {
                var dst = Region.Of(logical, to, destinations, d);
                var list = new List<TransferPart>();
                for (int s = 0; s < sources; s++)
                {
                    if (from.IsBroadcast && s != Math.Min(d, sources - 1)) continue;
                    var segments = Region.Overlap(Region.Of(logical, from, sources, s), dst);
                    if (segments.Count > 0) list.Add(new TransferPart(s, d, segments.ToArray()));
                }
                parts[d] = list.ToArray();
            }
            return new Transfer(from.IsPartial, parts);
        }

        /// <summary>Writes destination <paramref name="destination"/>'s part from the given source buffers.</summary>
        public unsafe void Apply(int destination, ReadOnlySpan<IntPtr> sources, float* dst)
        {
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
