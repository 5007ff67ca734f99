using System;
using System.Globalization;
using System.Linq;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>Tensor dimensions, row-major; a scalar has rank 0.</summary>
    public sealed class Shape : IEquatable<Shape>
    {
        private readonly int[] _dims;

        public Shape(params int[] dims) => _dims = (int[])dims.Clone();

        public static readonly Shape Scalar = new Shape();

        public int Rank => _dims.Length;
        public int this[int axis] => _dims[axis];
        public long Elements
        {
            get
            {
                long n = 1;
                for (int i = 0; i < _dims.Length; i++) n *= _dims[i];
                return n;
            }
        }
        public int[] ToArray() => (int[])_dims.Clone();

        public Shape With(int axis, int size)
        {
            var dims = ToArray();
            dims[axis] = size;
            return new Shape(dims);
        }

        public bool Equals(Shape? other) => other != null && _dims.SequenceEqual(other._dims);
        public override bool Equals(object? obj) => Equals(obj as Shape);
        public override int GetHashCode() => _dims.Aggregate(17, (h, d) => h * 31 + d);

        public override string ToString()
            => "[" + string.Join(",", _dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

        public static Shape Parse(string text)
        {
            string inner = text.Trim().TrimStart('[').TrimEnd(']');
            return inner.Length == 0
                ? Scalar
                : new Shape(inner.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray());
        }
    }
}
