using System.Globalization;
using System.Text;

namespace OneFlow.Dsl
{
    /// <summary>A tensor as text, as PyTorch prints one: the shape, then the values nested by axis; a tensor of more
    /// than a thousand values shows the first and last three along each axis, with "..." between.</summary>
    public sealed partial class Tensor
    {
        private const int Summarised = 1000, Edge = 3;

        public override string ToString()
        {
            var text = new StringBuilder("Tensor").Append(ShapeText).Append(' ');
            if (Rank == 0) return text.Append(Value(0)).ToString();
            Append(text, 0, 0, Length > Summarised);
            return text.ToString();
        }

        /// <summary>The values of axis <paramref name="axis"/> from element <paramref name="offset"/> on.</summary>
        private void Append(StringBuilder text, int axis, long offset, bool summarise)
        {
            long stride = 1;
            for (int a = axis + 1; a < Rank; a++) stride *= _shape[a];
            int length = _shape[axis];
            text.Append('[');
            for (int i = 0; i < length; i++)
            {
                if (summarise && length > 2 * Edge && i == Edge)
                {
                    text.Append(axis == Rank - 1 ? "..., " : "...,\n" + new string(' ', axis + 8 + ShapeText.Length));
                    i = length - Edge - 1;
                    continue;
                }
                if (axis == Rank - 1) text.Append(Value(offset + i));
                else Append(text, axis + 1, offset + i * stride, summarise);
                if (i < length - 1) text.Append(axis == Rank - 1 ? ", " : ",\n" + new string(' ', axis + 8 + ShapeText.Length));
            }
            text.Append(']');
        }

        private string Value(long index)
            => IsInteger ? _integers![index].ToString(CultureInfo.InvariantCulture) : Host[index].ToString("0.####", CultureInfo.InvariantCulture);
    }
}
