namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>How a split axis is cut into parts: as evenly as possible, the first parts one longer when the
    /// length does not divide (10 over 4 devices: 3, 3, 2, 2).</summary>
    public static class Partition
    {
        public static int Start(int length, int parts, int index)
        {
            int q = length / parts, r = length % parts;
            return index * q + (index < r ? index : r);
        }

        public static int Length(int length, int parts, int index) => length / parts + (index < length % parts ? 1 : 0);

        /// <summary>The shape of device <paramref name="index"/>'s part of a tensor of <paramref name="shape"/>.</summary>
        public static Shape LocalShape(Shape shape, Sbp sbp, int parts, int index)
            => sbp.IsSplit ? shape.With(sbp.Axis, Length(shape[sbp.Axis], parts, index)) : shape;
    }
}
