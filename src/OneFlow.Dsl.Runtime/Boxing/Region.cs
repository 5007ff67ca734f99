using System;
using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Runtime.Boxing
{
    /// <summary>A run of elements to move between two dense row-major buffers (offsets in elements).</summary>
    internal readonly record struct Segment(long Src, long Dst, int Length);

    /// <summary>The box of a logical tensor that one device's part covers, and the copies that move the
    /// overlap of two such boxes between their buffers. Every boxing op, every host feed and every fetch is
    /// such a set of copies, computed once when a plan is loaded.</summary>
    internal sealed class Region
    {
        public int[] Start { get; }
        public int[] Length { get; }

        private Region(int[] start, int[] length) { Start = start; Length = length; }

        public static Region Whole(Shape shape) => new Region(new int[shape.Rank], shape.ToArray());

        public static Region Of(Shape logical, NdSbp sbp, Placement placement, int device)
            => new Region(Partition.Offsets(logical, sbp, placement, device), Partition.LocalShape(logical, sbp, placement, device).ToArray());

        public long Elements
        {
            get
            {
                long n = 1;
                foreach (int l in Length) n *= l;
                return n;
            }
        }

        /// <summary>The copies that move the part of <paramref name="src"/> that lies in <paramref name="dst"/>,
        /// each buffer holding exactly its own box; adjacent runs are merged.</summary>
        public static List<Segment> Overlap(Region src, Region dst)
        {
            int rank = src.Start.Length;
            var segments = new List<Segment>();
            if (rank == 0) { segments.Add(new Segment(0, 0, 1)); return segments; }
            var lo = new int[rank];
            var hi = new int[rank];
            for (int a = 0; a < rank; a++)
            {
                lo[a] = Math.Max(src.Start[a], dst.Start[a]);
                hi[a] = Math.Min(src.Start[a] + src.Length[a], dst.Start[a] + dst.Length[a]);
                if (hi[a] <= lo[a]) return segments;
            }
            var index = (int[])lo.Clone();
            int run = hi[rank - 1] - lo[rank - 1];
            while (true)
            {
                Append(segments, new Segment(OffsetIn(src, index), OffsetIn(dst, index), run));
                int axis = rank - 2;
                while (axis >= 0 && ++index[axis] == hi[axis]) { index[axis] = lo[axis]; axis--; }
                if (axis < 0) return segments;
            }
        }

        private static void Append(List<Segment> segments, Segment s)
        {
            if (segments.Count > 0)
            {
                var last = segments[segments.Count - 1];
                if (last.Src + last.Length == s.Src && last.Dst + last.Length == s.Dst)
                {
                    segments[segments.Count - 1] = new Segment(last.Src, last.Dst, last.Length + s.Length);
                    return;
                }
            }
            segments.Add(s);
        }

        private static long OffsetIn(Region box, int[] index)
        {
            long offset = 0;
            for (int a = 0; a < index.Length; a++) offset = offset * box.Length[a] + (index[a] - box.Start[a]);
            return offset;
        }
    }
}
