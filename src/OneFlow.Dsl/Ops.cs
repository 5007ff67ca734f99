using System;
using System.Linq;
using OneFlow.Dsl.Runtime.Kernels;
using Kernel = OneFlow.Dsl.Runtime.Kernels.SoftmaxCrossEntropy;
using PlanShape = OneFlow.Dsl.Planner.Model.Shape;

namespace OneFlow.Dsl
{
    /// <summary>The ops a network's <c>Forward</c> calls. Called directly they run eagerly on the CPU, with the same
    /// kernels the compiled plan uses; the generator reads the same calls to build the plan.</summary>
    public static class Ops
    {
        /// <summary>a [m,k] · b [k,n] → [m,n].</summary>
        public static Tensor MatMul(Tensor a, Tensor b)
        {
            int r = a.Rank;
            if (r < 2 || b.Rank != r || !a.Shape.Take(r - 2).SequenceEqual(b.Shape.Take(r - 2)) || a.Shape[r - 1] != b.Shape[r - 2])
                throw new ArgumentException(a.Rank == 2 && b.Rank == 2
                    ? $"MatMul: a is {a.ShapeText} but b is {b.ShapeText}; inner dimensions {a.Shape[1]} and {b.Shape[0]} differ."
                    : $"MatMul: needs two matrices or two batches of matrices (equal leading dimensions), but a is {a.ShapeText} and b is {b.ShapeText}.");
            int m = a.Shape[r - 2], k = a.Shape[r - 1], n = b.Shape[r - 1];
            int batch = a.Shape.Take(r - 2).Aggregate(1, (x, d) => x * d);
            var y = Batched(batch, m * k, k * n, m * n, (x, w) => Gemm(false, false, m, n, k, x, w), a.Host, b.Host);
            var shape = a.Shape.Take(r - 2).Concat(new[] { m, n }).ToArray();
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                if (a.RequiresGrad) a.Accumulate(Batched(batch, m * n, k * n, m * k, (d, w) => Gemm(false, true, m, k, n, d, w), dy, b.Host));
                if (b.RequiresGrad) b.Accumulate(Batched(batch, m * k, m * n, k * n, (x, d) => Gemm(true, false, k, n, m, x, d), a.Host, dy));
            }, a, b);
        }

        /// <summary>a + b, broadcasting as NumPy does (shapes aligned at their last axes, axes of length 1 repeated).</summary>
        public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, BinaryOp.Add, negateB: false, (dy, _) => dy, (dy, _) => dy);
        public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, BinaryOp.Sub, negateB: true, (dy, _) => dy, (dy, _) => dy);

        public static Tensor Mul(Tensor a, Tensor b)
            => Binary(a, b, BinaryOp.Mul, negateB: false, (dy, shape) => Product(dy, shape, b), (dy, shape) => Product(dy, shape, a));

        /// <summary>Every element times the constant <paramref name="factor"/> (attention's 1/√d).</summary>
        public static Tensor Scale(Tensor x, double factor)
        {
            var y = new float[x.Length];
            Elementwise.Scale(x.Host, (float)factor, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy =>
            {
                var dx = new float[dy.Length];
                Elementwise.Scale(dy, (float)factor, dx);
                x.Accumulate(dx);
            }, x);
        }

        public static Tensor Relu(Tensor x)
        {
            var y = new float[x.Length];
            Elementwise.Relu(x.Host, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy =>
            {
                var dx = new float[y.Length];
                Elementwise.ReluGrad(dy, y, dx);
                x.Accumulate(dx);
            }, x);
        }

        /// <summary>Mean over every row of −log softmax(logits)[label]; logits [N,…,C], integer labels [N,…]: one per
        /// row, a row being every axis but the last.</summary>
        public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels)
        {
            if (logits.Rank < 2 || labels.Rank != logits.Rank - 1 || !Enumerable.Range(0, labels.Rank).All(k => labels.Shape[k] == logits.Shape[k]))
                throw new ArgumentException($"SoftmaxCrossEntropy: logits is {logits.ShapeText} but labels is {labels.ShapeText}; one label per row is needed.");
            int c = logits.Shape[logits.Rank - 1], n = (int)(logits.Length / c);
            float loss = Kernel.Forward(logits.Host, labels.IntegerData, c, n);
            return Tensor.Record(Tensor.Wrap(new[] { loss }, Array.Empty<int>()), dy =>
            {
                var d = new float[logits.Length];
                Kernel.Backward(logits.Host, labels.IntegerData, c, n, d);
                for (int i = 0; i < d.Length; i++) d[i] *= dy[0];
                logits.Accumulate(d);
            }, logits, labels);
        }

        public static Tensor Gelu(Tensor x)
        {
            var y = new float[x.Length];
            Elementwise.Gelu(x.Host, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy => x.Accumulate(Map(dy, x.Host, Elementwise.GeluGrad)), x);
        }

        /// <summary>softmax over the last axis.</summary>
        public static Tensor Softmax(Tensor x)
        {
            int cols = Last(x);
            var y = new float[x.Length];
            RowKernels.Softmax(x.Host, cols, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy => x.Accumulate(Map(dy, y, (d, s, o) => RowKernels.SoftmaxGrad(d, s, cols, o))), x);
        }

        /// <summary>Softmax over the last axis of square blocks [..., T, T] of attention scores, row i over its first
        /// i + 1 entries: each token attends to itself and those before it.</summary>
        public static Tensor CausalSoftmax(Tensor x)
        {
            int cols = Last(x);
            if (x.Rank < 2 || x.Shape[x.Rank - 2] != cols)
                throw new ArgumentException($"CausalSoftmax: x is {x.ShapeText}; it needs square blocks of scores over its last two axes, [..., T, T].");
            var y = new float[x.Length];
            RowKernels.CausalSoftmax(x.Host, cols, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy => x.Accumulate(Map(dy, y, (d, s, o) => RowKernels.SoftmaxGrad(d, s, cols, o))), x);
        }

        /// <summary>log softmax over the last axis.</summary>
        public static Tensor LogSoftmax(Tensor x)
        {
            int cols = Last(x);
            var y = new float[x.Length];
            RowKernels.LogSoftmax(x.Host, cols, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy => x.Accumulate(Map(dy, y, (d, s, o) => RowKernels.LogSoftmaxGrad(d, s, cols, o))), x);
        }

        /// <summary>Sum over the last axis, which is dropped: [.., C] → [..].</summary>
        public static Tensor Sum(Tensor x) => ReduceLast(x, mean: false);

        /// <summary>Mean over the last axis, which is dropped: [.., C] → [..].</summary>
        public static Tensor Mean(Tensor x) => ReduceLast(x, mean: true);

        /// <summary>Maximum over the last axis, which is dropped: [.., C] → [..]; the gradient flows to each row's
        /// first maximum.</summary>
        public static Tensor Max(Tensor x)
        {
            int cols = Last(x);
            var y = new float[x.Length / cols];
            RowKernels.MaxLast(x.Host, cols, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)[..^1]), dy =>
            {
                var dx = new float[x.Length];
                RowKernels.MaxLastGrad(dy, x.Host, cols, dx);
                x.Accumulate(dx);
            }, x);
        }

        private static long s_dropoutCalls;

        /// <summary>Training-time dropout: each element kept with probability 1 − p and scaled by 1/(1 − p). Eagerly,
        /// every call draws a fresh mask; a compiled plan keys the mask by the step and the element's place in the
        /// whole tensor, so its devices agree, and its inference plan leaves the values alone.</summary>
        public static Tensor Dropout(Tensor x, double p)
        {
            if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1), not {p}.");
            long key = System.Threading.Interlocked.Increment(ref s_dropoutCalls);
            var shape = Shape(x);
            var whole = new int[shape.Length];
            var strides = new long[shape.Length];
            long stride = 1;
            for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = stride; stride *= shape[i]; }
            var y = new float[x.Length];
            Runtime.Kernels.Dropout.Apply(x.Host, y, p, key, 0, whole, shape, strides);
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                var dx = new float[dy.Length];
                Runtime.Kernels.Dropout.Apply(dy, dx, p, key, 0, whole, shape, strides);
                x.Accumulate(dx);
            }, x);
        }

        /// <summary>The same elements under a new shape; one dimension may be −1, inferred from the others.</summary>
        /// <summary>Reorders the axes: the result's axis i is x's axis <paramref name="axes"/>[i], as <c>torch.permute</c>.</summary>
        public static Tensor Permute(Tensor x, params int[] axes)
        {
            if (axes.Length != x.Rank || !axes.OrderBy(a => a).SequenceEqual(Enumerable.Range(0, x.Rank)))
                throw new ArgumentException($"Permute: x is {x.ShapeText}; the axes ({string.Join(", ", axes)}) must name each of its {x.Rank} axes once.");
            var shape = new PlanShape(Shape(x));
            var y = new float[x.Length];
            AxisCopy.Permute(x.Host, shape, axes, y);
            var inverse = new int[axes.Length];
            for (int i = 0; i < axes.Length; i++) inverse[axes[i]] = i;
            var permuted = new PlanShape(axes.Select(a => shape[a]).ToArray());
            return Tensor.Record(Tensor.Wrap(y, permuted.ToArray()), dy =>
            {
                var dx = new float[dy.Length];
                AxisCopy.Permute(dy, permuted, inverse, dx);
                x.Accumulate(dx);
            }, x);
        }

        public static Tensor Reshape(Tensor x, params int[] shape)
        {
            int inferred = Array.IndexOf(shape, -1);
            var dims = (int[])shape.Clone();
            if (inferred >= 0)
            {
                long known = 1;
                for (int i = 0; i < dims.Length; i++) if (i != inferred) known *= dims[i];
                dims[inferred] = known > 0 ? (int)(x.Length / known) : 0;
            }
            long elements = 1;
            foreach (int d in dims) elements *= d;
            if (elements != x.Length || dims.Any(d => d <= 0))
                throw new ArgumentException($"Reshape: x is {x.ShapeText} ({x.Length} elements) and cannot take the shape {Tensor.Describe(shape)}.");
            return Tensor.Record(Tensor.Wrap((float[])x.Host.Clone(), dims), dy => x.Accumulate((float[])dy.Clone()), x);
        }

        /// <summary>Entries [start, start + length) of <paramref name="axis"/>.</summary>
        public static Tensor Slice(Tensor x, int axis, int start, int length)
        {
            var shape = Shape(x);
            if (axis < 0 || axis >= shape.Length || start < 0 || length <= 0 || start + length > shape[axis])
                throw new ArgumentException($"Slice: axis {axis}, start {start}, length {length} do not fit x {x.ShapeText}.");
            int full = shape[axis], inner = Inner(shape, axis);
            var outShape = (int[])shape.Clone();
            outShape[axis] = length;
            var y = new float[x.Length / full * length];
            AxisCopy.Slice(x.Host, full, start, length, inner, y);
            return Tensor.Record(Tensor.Wrap(y, outShape), dy =>
            {
                var dx = new float[x.Length];
                AxisCopy.Unslice(dy, full, start, length, inner, dx);
                x.Accumulate(dx);
            }, x);
        }

        /// <summary><paramref name="b"/> after <paramref name="a"/> along <paramref name="axis"/>.</summary>
        public static Tensor Concat(Tensor a, Tensor b, int axis)
        {
            int[] sa = Shape(a), sb = Shape(b);
            if (axis < 0 || axis >= sa.Length || sa.Length != sb.Length || Enumerable.Range(0, sa.Length).Any(i => i != axis && sa[i] != sb[i]))
                throw new ArgumentException($"Concat: a is {a.ShapeText} but b is {b.ShapeText}; they may differ only along axis {axis}.");
            int inner = Inner(sa, axis), la = sa[axis], lb = sb[axis];
            var shape = (int[])sa.Clone();
            shape[axis] = la + lb;
            var y = new float[a.Length + b.Length];
            AxisCopy.Concat(a.Host, la, b.Host, lb, inner, y);
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                if (a.RequiresGrad) { var da = new float[a.Length]; AxisCopy.Slice(dy, la + lb, 0, la, inner, da); a.Accumulate(da); }
                if (b.RequiresGrad) { var db = new float[b.Length]; AxisCopy.Slice(dy, la + lb, la, lb, inner, db); b.Accumulate(db); }
            }, a, b);
        }

        private static int Inner(int[] shape, int axis)
        {
            int inner = 1;
            for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
            return inner;
        }

        /// <summary>The transpose of a matrix.</summary>
        /// <summary>Swaps the last two axes: a matrix's transpose, or each matrix's of a batch.</summary>
        public static Tensor Transpose(Tensor x)
        {
            if (x.Rank < 2) throw new ArgumentException($"Transpose: x is {x.ShapeText} but must have at least two axes.");
            int rows = x.Shape[x.Rank - 2], cols = x.Shape[x.Rank - 1];
            var y = new float[x.Length];
            Elementwise.Transpose(x.Host, rows, cols, y);
            var shape = Shape(x);
            (shape[^2], shape[^1]) = (cols, rows);
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                var dx = new float[dy.Length];
                Elementwise.Transpose(dy, cols, rows, dx);
                x.Accumulate(dx);
            }, x);
        }

        /// <summary>Each row normalised over the last axis to mean 0, variance 1 (ε = 1e-5); multiply by a gain
        /// and add a bias for the affine layer norm.</summary>
        public static Tensor LayerNorm(Tensor x)
        {
            int cols = Last(x);
            var y = new float[x.Length];
            RowKernels.LayerNorm(x.Host, cols, y);
            return Tensor.Record(Tensor.Wrap(y, Shape(x)), dy => x.Accumulate(Map(dy, x.Host, (d, v, o) => RowKernels.LayerNormGrad(d, v, cols, o))), x);
        }

        /// <summary>Looks up the rows of <paramref name="table"/> [V, D] named by integer <paramref name="ids"/> [..],
        /// giving [.., D].</summary>
        public static Tensor Embedding(Tensor ids, Tensor table)
        {
            if (table.Rank != 2) throw new ArgumentException($"Embedding: table is {table.ShapeText} but must be a matrix [vocabulary, width].");
            int rows = table.Shape[0], width = table.Shape[1];
            var idData = ids.IntegerData;
            foreach (int id in idData)
                if ((uint)id >= (uint)rows) throw new ArgumentException($"Embedding: id {id} is outside the table's {rows} rows.");
            var y = new float[idData.Length * width];
            Runtime.Kernels.Embedding.Forward(idData, table.Host, 0, rows, width, y);
            int[] shape = new int[ids.Rank + 1];
            for (int i = 0; i < ids.Rank; i++) shape[i] = ids.Shape[i];
            shape[ids.Rank] = width;
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                var dTable = new float[table.Length];
                Runtime.Kernels.Embedding.Backward(idData, dy, 0, rows, width, dTable);
                table.Accumulate(dTable);
            }, ids, table);
        }

        private static Tensor ReduceLast(Tensor x, bool mean)
        {
            int cols = Last(x);
            var y = new float[x.Length / cols];
            RowKernels.SumLast(x.Host, cols, mean ? cols : 1, y);
            var shape = Shape(x)[..^1];
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                var dx = new float[x.Length];
                RowKernels.ExpandLast(dy, cols, mean ? cols : 1, dx);
                x.Accumulate(dx);
            }, x);
        }

        private static int Last(Tensor x) => x.Rank > 0 ? x.Shape[x.Rank - 1] : throw new ArgumentException("The op needs a tensor with at least one axis, not a scalar.");

        private static float[] Map(float[] a, float[] b, Action<ReadOnlySpan<float>, ReadOnlySpan<float>, Span<float>> kernel)
        {
            var y = new float[a.Length];
            kernel(a, b, y);
            return y;
        }

        private static Tensor Binary(Tensor a, Tensor b, BinaryOp op, bool negateB, Func<float[], PlanShape, float[]> gradA, Func<float[], PlanShape, float[]> gradB)
        {
            var ys = Planner.Ops.BroadcastShapes.Of(ShapeOf(a), ShapeOf(b))
                ?? throw new ArgumentException($"{op}: a is {a.ShapeText} but b is {b.ShapeText}; aligned at their last axes, each pair of lengths must be equal or one of them 1.");
            var y = new float[ys.Elements];
            Broadcasting.Binary(op, a.Host, ShapeOf(a), b.Host, ShapeOf(b), y, ys);
            return Tensor.Record(Tensor.Wrap(y, ys.ToArray()), dy =>
            {
                if (a.RequiresGrad) a.Accumulate(SumTo(gradA(dy, ys), ys, a));
                if (!b.RequiresGrad) return;
                var db = SumTo(gradB(dy, ys), ys, b);
                if (negateB) Elementwise.Neg(db, db);
                b.Accumulate(db);
            }, a, b);
        }

        /// <summary>dy · the other operand, broadcast to dy's shape.</summary>
        private static float[] Product(float[] dy, PlanShape shape, Tensor other)
        {
            var y = new float[dy.Length];
            Broadcasting.Binary(BinaryOp.Mul, dy, shape, other.Host, ShapeOf(other), y, shape);
            return y;
        }

        /// <summary>Sums a broadcast gradient back to the operand's shape.</summary>
        private static float[] SumTo(float[] gradient, PlanShape shape, Tensor operand)
        {
            if (gradient.Length == operand.Length) return gradient;
            var reduced = new float[operand.Length];
            Broadcasting.SumTo(gradient, shape, reduced, ShapeOf(operand));
            return reduced;
        }

        private static PlanShape ShapeOf(Tensor t) => new PlanShape(Shape(t));

        /// <summary>A product per matrix of a batch: <paramref name="product"/> on each pair of slices, concatenated.</summary>
        private static float[] Batched(int batch, int left, int right, int result, Func<float[], float[], float[]> product, float[] a, float[] b)
        {
            if (batch == 1) return product(a, b);
            var y = new float[batch * result];
            for (int i = 0; i < batch; i++)
                product(a.AsSpan(i * left, left).ToArray(), b.AsSpan(i * right, right).ToArray()).CopyTo(y, i * result);
            return y;
        }

        private static unsafe float[] Gemm(bool transA, bool transB, int m, int n, int k, float[] a, float[] b)
        {
            var c = new float[m * n];
            fixed (float* pa = a, pb = b, pc = c)
                Runtime.Kernels.Gemm.Sgemm(transA, transB, m, n, k, pa, transA ? m : k, pb, transB ? k : n, pc, n, false, Runtime.Kernels.Gemm.DefaultThreads);
            return c;
        }

        private static bool SameShape(Tensor a, Tensor b)
        {
            if (a.Rank != b.Rank) return false;
            for (int i = 0; i < a.Rank; i++) if (a.Shape[i] != b.Shape[i]) return false;
            return true;
        }

        private static int[] Shape(Tensor t)
        {
            var s = new int[t.Rank];
            for (int i = 0; i < s.Length; i++) s[i] = t.Shape[i];
            return s;
        }

        private static long Elements(int[] shape)
        {
            long n = 1;
            foreach (int d in shape) n *= d;
            return n;
        }
    }
}
