using System;

namespace OneFlow.Dsl
{
    /// <summary>Initial weights from a seed and the weight's name alone, so that a network gets the same
    /// weights whatever its placement: matrices uniform in ±1/√fan_in (fan_in = the first dimension, the
    /// inputs of an [in, out] weight; for a convolution's [O, C, kH, kW], C·kH·kW as PyTorch's), vectors zero.</summary>
    public static class WeightInit
    {
        public static Tensor Create(int seed, string name, params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            if (shape.Length < 2) return WithGrad(t);
            var data = t.Host;
            ulong state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ Fnv(name);
            float bound = 1f / MathF.Sqrt(FanIn(shape));
            for (int i = 0; i < data.Length; i++) data[i] = (float)(NextUnit(ref state) * 2 - 1) * bound;
            return WithGrad(t);
        }

        /// <summary>A weight whose every element starts at <paramref name="value"/> (a layer norm's gain: 1).</summary>
        public static Tensor Filled(double value, params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            t.Host.AsSpan().Fill((float)value);
            return WithGrad(t);
        }

        /// <summary>A buffer: every element <paramref name="value"/>, and no gradient.</summary>
        public static Tensor Buffer(double value, params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            t.Host.AsSpan().Fill((float)value);
            return t;
        }

        private static int FanIn(int[] shape)
        {
            if (shape.Length < 3) return shape[0];
            int fanIn = 1;
            for (int i = 1; i < shape.Length; i++) fanIn *= shape[i];
            return fanIn;
        }

        private static Tensor WithGrad(Tensor t)
        {
            t.RequiresGrad = true;
            return t;
        }

        /// <summary>SplitMix64: tiny, fast and the same on every platform.</summary>
        private static double NextUnit(ref ulong state)
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        }

        private static ulong Fnv(string s)
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
            return h;
        }
    }
}
