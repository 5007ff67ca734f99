using System;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Deterministic random batches.</summary>
    internal static class Data
    {
        public static Tensor Floats(int seed, params int[] shape)
        {
            var random = new Random(seed);
            int n = 1;
            foreach (int d in shape) n *= d;
            var data = new float[n];
            for (int i = 0; i < n; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
            return Tensor.From(data, shape);
        }

        public static Tensor Labels(int seed, int count, int classes)
        {
            var random = new Random(seed);
            var labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = random.Next(classes);
            return Tensor.From(labels, count);
        }
    }
}
