using ILGPU;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Kernels that move elements without arithmetic (transpose, slice, its gradient, concat) and the
    /// embedding lookup, one thread per output element. The embedding's gradient sums each table entry's
    /// contributions in id order, without atomics, so that it gives the same bits on every run.</summary>
    internal static class LayoutKernels
    {
        /// <summary>Each rows×cols matrix of a batch transposed.</summary>
        public static void Transpose(Index1D i, ArrayView<float> x, ArrayView<float> y, int rows, int cols)
        {
            int size = rows * cols, b = i / size, j = i % size;
            int c = j / rows, r = j % rows;
            y[i] = x[b * size + r * cols + c];
        }

        /// <summary>y's element i from x through the permutation's strides (see <see cref="BroadcastLayout"/>: the
        /// output's four padded dimensions and, per output axis, the input's stride along it).</summary>
        public static void Permute(Index1D i, ArrayView<float> x, ArrayView<float> y, BroadcastLayout l)
        {
            int r = i;
            int c3 = r % l.D3; r /= l.D3;
            int c2 = r % l.D2; r /= l.D2;
            int c1 = r % l.D1;
            int c0 = r / l.D1;
            y[i] = x[c0 * l.A0 + c1 * l.A1 + c2 * l.A2 + c3 * l.A3];
        }

        /// <summary>x seen as [outer, full, inner]; y is [outer, length, inner] from <paramref name="start"/>.</summary>
        public static void Slice(Index1D i, ArrayView<float> x, ArrayView<float> y, int full, int start, int length, int inner)
        {
            int o = i / (length * inner), rest = i % (length * inner);
            y[i] = x[(o * full + start) * inner + rest];
        }

        public static void Unslice(Index1D i, ArrayView<float> dy, ArrayView<float> dx, int full, int start, int length, int inner)
        {
            int o = i / (full * inner), f = i / inner % full, k = i % inner;
            dx[i] = f >= start && f < start + length ? dy[(o * length + f - start) * inner + k] : 0f;
        }

        public static void Concat(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int lengthA, int lengthB, int inner)
        {
            int full = lengthA + lengthB, o = i / (full * inner), f = i / inner % full, k = i % inner;
            y[i] = f < lengthA ? a[(o * lengthA + f) * inner + k] : b[(o * lengthB + f - lengthA) * inner + k];
        }

        /// <summary>Rows [first, first + rows) of the table live here; other ids read zeros.</summary>
        public static void EmbeddingForward(Index1D i, ArrayView<int> ids, ArrayView<float> table, ArrayView<float> y, int first, int rows, int width)
        {
            int local = ids[i / width] - first;
            y[i] = local >= 0 && local < rows ? table[local * width + i % width] : 0f;
        }

        public static void EmbeddingBackward(Index1D i, ArrayView<int> ids, ArrayView<float> dy, ArrayView<float> dTable, int first, int width, int count)
        {
            int row = i / width + first, c = i % width;
            float sum = 0f;
            for (int k = 0; k < count; k++) if (ids[k] == row) sum += dy[k * width + c];
            dTable[i] = sum;
        }
    }
}
