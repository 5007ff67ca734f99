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

        /// <summary>A weight drawn by <paramref name="init"/> from the seed and its name; <paramref name="scale"/> is a
        /// normal draw's standard deviation or a uniform draw's bound.</summary>
        public static Tensor Create(int seed, string name, Init init, double scale, params int[] shape)
        {
            if (init == Init.Default) return Create(seed, name, shape);
            if (init == Init.Zeros || init == Init.Ones) return Filled(init == Init.Ones ? 1 : 0, shape);
            if ((init == Init.KaimingUniform || init == Init.XavierUniform) && shape.Length < 2)
                throw new ArgumentException($"{init} draws from fan_in and fan_out, which weight '{name}' [{string.Join(",", shape)}] of rank {shape.Length} does not have; use a rank of 2 or more, or Init.Uniform.", nameof(shape));
            var t = Tensor.Zeros(shape);
            var data = t.Host;
            ulong state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ Fnv(name);
            double bound = init switch
            {
                Init.KaimingUniform => 1 / Math.Sqrt(TorchFanIn(shape)),
                Init.XavierUniform => Math.Sqrt(6.0 / (TorchFanIn(shape) + TorchFanOut(shape))),
                _ => scale,
            };
            for (int i = 0; i < data.Length; i++)
                data[i] = init == Init.Normal ? (float)(scale * Gaussian(ref state))
                    : init == Init.TruncNormal ? (float)(scale * Truncated(ref state))
                    : (float)((NextUnit(ref state) * 2 - 1) * bound);
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

        /// <summary>PyTorch's fan_in of a weight [out, in, k…]: in·k….</summary>
        private static long TorchFanIn(int[] shape)
        {
            long fan = shape[1];
            for (int i = 2; i < shape.Length; i++) fan *= shape[i];
            return fan;
        }

        private static long TorchFanOut(int[] shape)
        {
            long fan = shape[0];
            for (int i = 2; i < shape.Length; i++) fan *= shape[i];
            return fan;
        }

        /// <summary>A standard normal value (Box–Muller on two uniform draws).</summary>
        private static double Gaussian(ref ulong state)
            => Math.Sqrt(-2 * Math.Log(1 - NextUnit(ref state))) * Math.Cos(2 * Math.PI * NextUnit(ref state));

        /// <summary>A standard normal value within ±2, redrawn until it falls there.</summary>
        private static double Truncated(ref ulong state)
        {
            double z;
            do z = Gaussian(ref state); while (Math.Abs(z) > 2);
            return z;
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
