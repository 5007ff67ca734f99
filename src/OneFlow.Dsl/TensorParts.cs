using System;

namespace OneFlow.Dsl
{
    /// <summary>The parts of a Split or Chunk taken apart by name, <c>var (q, k, v) = Chunk(x, 3, -1)</c>, in eager code
    /// and in Forward alike; a count that is not the parts' is refused.</summary>
    public static class TensorParts
    {
        public static void Deconstruct(this Tensor[] parts, out Tensor a, out Tensor b)
        {
            Expect(parts, 2);
            (a, b) = (parts[0], parts[1]);
        }

        public static void Deconstruct(this Tensor[] parts, out Tensor a, out Tensor b, out Tensor c)
        {
            Expect(parts, 3);
            (a, b, c) = (parts[0], parts[1], parts[2]);
        }

        public static void Deconstruct(this Tensor[] parts, out Tensor a, out Tensor b, out Tensor c, out Tensor d)
        {
            Expect(parts, 4);
            (a, b, c, d) = (parts[0], parts[1], parts[2], parts[3]);
        }

        private static void Expect(Tensor[] parts, int count)
        {
            if (parts.Length != count) throw new ArgumentException($"The split gave {parts.Length} parts, not the {count} taken apart.", nameof(parts));
        }
    }
}
