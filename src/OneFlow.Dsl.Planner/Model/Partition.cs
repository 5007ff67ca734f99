namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>How a split axis is cut into parts: as evenly as possible, the first parts one longer when the
    /// length does not divide (10 over 4 devices: 3, 3, 2, 2).</summary>
    internal static class Partition
    {
        public static int Start(int length, int parts, int index)
        {
            int q = length / parts, r = length % parts;
            return index * q + (index < r ? index : r);
        }

        public static int Length(int length, int parts, int index) => length / parts + (index < length % parts ? 1 : 0);

        /// <summary>The shape of device <paramref name="index"/>'s part of a tensor of <paramref name="shape"/>: each
        /// mesh axis splits what the axes before it left (a hierarchical split).</summary>
        public static Shape LocalShape(Shape shape, NdSbp sbp, Placement placement, int index)
        {
            var coordinates = placement.Coordinates(index);
            var local = shape;
            for (int k = 0; k < placement.MeshRank; k++)
                if (sbp[k].IsSplit) local = local.With(sbp[k].Axis, Length(local[sbp[k].Axis], placement.Mesh[k], coordinates[k]));
            return local;
        }

        /// <summary>Where device <paramref name="index"/>'s part starts along each axis of the whole tensor.</summary>
        public static int[] Offsets(Shape shape, NdSbp sbp, Placement placement, int index)
        {
            var coordinates = placement.Coordinates(index);
            var start = new int[shape.Rank];
            var length = shape.ToArray();
            for (int k = 0; k < placement.MeshRank; k++)
            {
                if (!sbp[k].IsSplit) continue;
                int axis = sbp[k].Axis;
                start[axis] += Start(length[axis], placement.Mesh[k], coordinates[k]);
                length[axis] = Length(length[axis], placement.Mesh[k], coordinates[k]);
            }
            return start;
        }
    }
}
