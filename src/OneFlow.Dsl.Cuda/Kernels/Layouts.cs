using System;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Four consecutive floats, loaded and stored as one 16-byte access.</summary>
    internal readonly struct Four
    {
        public readonly float X, Y, Z, W;
        public Four(float x, float y, float z, float w) { X = x; Y = y; Z = z; W = w; }
    }

    /// <summary>How a broadcasting binary kernel finds its operands: the output's dimensions (up to four, padded
    /// in front with 1) and each operand's element stride along them, 0 where the operand is repeated. A plain
    /// struct of ints, so that it passes to a kernel by value.</summary>
    internal struct BroadcastLayout
    {
        public const int MaxRank = 4;
        public int D0, D1, D2, D3;
        public int A0, A1, A2, A3;
        public int B0, B1, B2, B3;

        public static BroadcastLayout Of(Shape a, Shape b, Shape y)
        {
            var dims = Padded(y);
            var sa = Strides(a, y);
            var sb = Strides(b, y);
            return new BroadcastLayout
            {
                D0 = dims[0], D1 = dims[1], D2 = dims[2], D3 = dims[3],
                A0 = sa[0], A1 = sa[1], A2 = sa[2], A3 = sa[3],
                B0 = sb[0], B1 = sb[1], B2 = sb[2], B3 = sb[3],
            };
        }

        /// <summary>A permutation as a layout: the output's four padded dimensions and, per output axis, the input's
        /// stride along it (y's axis i is x's axis <paramref name="axes"/>[i]).</summary>
        public static BroadcastLayout Permuted(Shape shape, int[] axes)
        {
            int rank = shape.Rank, pad = MaxRank - rank;
            if (rank > MaxRank) throw new NotSupportedException($"The GPU permutes tensors of rank up to {MaxRank}, not {shape}.");
            var inStride = new long[rank];
            long stride = 1;
            for (int k = rank - 1; k >= 0; k--) { inStride[k] = stride; stride *= shape[k]; }
            var dims = new int[MaxRank];
            var steps = new int[MaxRank];
            for (int k = 0; k < MaxRank; k++)
            {
                dims[k] = k < pad ? 1 : shape[axes[k - pad]];
                steps[k] = k < pad ? 0 : (int)inStride[axes[k - pad]];
            }
            return new BroadcastLayout { D0 = dims[0], D1 = dims[1], D2 = dims[2], D3 = dims[3], A0 = steps[0], A1 = steps[1], A2 = steps[2], A3 = steps[3] };
        }

        /// <summary>Where output element <paramref name="i"/> reads each operand (inside a kernel).</summary>
        public static void Offsets(int i, BroadcastLayout l, out int ao, out int bo)
        {
            int r = i;
            int c3 = r % l.D3; r /= l.D3;
            int c2 = r % l.D2; r /= l.D2;
            int c1 = r % l.D1;
            int c0 = r / l.D1;
            ao = c0 * l.A0 + c1 * l.A1 + c2 * l.A2 + c3 * l.A3;
            bo = c0 * l.B0 + c1 * l.B1 + c2 * l.B2 + c3 * l.B3;
        }

        /// <summary>The dimensions of <paramref name="shape"/> as four, padded in front with 1.</summary>
        public static int[] Padded(Shape shape)
        {
            if (shape.Rank > MaxRank) throw new NotSupportedException($"The GPU kernels broadcast tensors of rank up to {MaxRank}, not {shape}.");
            var dims = new[] { 1, 1, 1, 1 };
            for (int k = 0; k < shape.Rank; k++) dims[MaxRank - shape.Rank + k] = shape[k];
            return dims;
        }

        /// <summary>The operand's element strides along the output's four padded axes, 0 where it is repeated.</summary>
        public static int[] Strides(Shape operand, Shape output)
        {
            int[] dims = Padded(operand), outer = Padded(output);
            var strides = new int[MaxRank];
            int stride = 1;
            for (int k = MaxRank - 1; k >= 0; k--)
            {
                strides[k] = dims[k] == outer[k] ? stride : 0;
                stride *= dims[k];
            }
            return strides;
        }
    }

    /// <summary>How a summing kernel undoes a broadcast: the input's four padded dimensions and strides, which of
    /// them are summed away, and the output's dimensions along the kept ones.</summary>
    internal struct SumLayout
    {
        public int X0, X1, X2, X3;
        public int S0, S1, S2, S3;
        public int R0, R1, R2, R3;

        public static SumLayout Of(Shape x, Shape y)
        {
            var dims = BroadcastLayout.Padded(x);
            var kept = BroadcastLayout.Strides(y, x);
            var strides = new int[BroadcastLayout.MaxRank];
            int stride = 1;
            for (int k = BroadcastLayout.MaxRank - 1; k >= 0; k--) { strides[k] = stride; stride *= dims[k]; }
            // An axis of length 1 in both is kept (its only coordinate is 0 either way).
            int Reduced(int k) => kept[k] == 0 && dims[k] > 1 ? 1 : 0;
            return new SumLayout
            {
                X0 = dims[0], X1 = dims[1], X2 = dims[2], X3 = dims[3],
                S0 = strides[0], S1 = strides[1], S2 = strides[2], S3 = strides[3],
                R0 = Reduced(0), R1 = Reduced(1), R2 = Reduced(2), R3 = Reduced(3),
            };
        }
    }
}

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Where a device's part lies in the whole tensor, for dropout's mask: the part's four padded lengths,
    /// where it starts along each axis, and the whole tensor's strides.</summary>
    internal struct PartLayout
    {
        public int L0, L1, L2, L3;
        public int O0, O1, O2, O3;
        public long W0, W1, W2, W3;

        public static PartLayout Of(int[] start, Shape length, Shape whole)
        {
            if (length.Rank > BroadcastLayout.MaxRank) throw new System.NotSupportedException($"GPU dropout handles tensors of rank up to {BroadcastLayout.MaxRank}.");
            var strides = new long[whole.Rank];
            OneFlow.Dsl.Runtime.Kernels.OpGeometry.Strides(whole, strides);
            int pad = BroadcastLayout.MaxRank - length.Rank;
            int L(int k) => k < pad ? 1 : length[k - pad];
            int O(int k) => k < pad ? 0 : start[k - pad];
            long W(int k) => k < pad ? 0 : strides[k - pad];
            return new PartLayout { L0 = L(0), L1 = L(1), L2 = L(2), L3 = L(3), O0 = O(0), O1 = O(1), O2 = O(2), O3 = O(3), W0 = W(0), W1 = W(1), W2 = W(2), W3 = W(3) };
        }
    }
}
