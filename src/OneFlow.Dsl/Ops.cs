using System;
using OneFlow.Dsl.Runtime.Kernels;
using Kernel = OneFlow.Dsl.Runtime.Kernels.SoftmaxCrossEntropy;

namespace OneFlow.Dsl
{
    /// <summary>The ops a network's <c>Forward</c> calls. Called directly they run eagerly on the CPU, with the same
    /// kernels the compiled plan uses; the generator reads the same calls to build the plan.</summary>
    public static class Ops
    {
        /// <summary>a [m,k] · b [k,n] → [m,n].</summary>
        public static Tensor MatMul(Tensor a, Tensor b)
        {
            if (a.Rank != 2 || b.Rank != 2 || a.Shape[1] != b.Shape[0])
                throw new ArgumentException(a.Rank == 2 && b.Rank == 2
                    ? $"MatMul: a is {a.ShapeText} but b is {b.ShapeText}; inner dimensions {a.Shape[1]} and {b.Shape[0]} differ."
                    : $"MatMul: needs two matrices, but a is {a.ShapeText} and b is {b.ShapeText}.");
            int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
            var y = Gemm(false, false, m, n, k, a.Host, b.Host);
            return Tensor.Record(Tensor.Wrap(y, new[] { m, n }), dy =>
            {
                if (a.RequiresGrad) a.Accumulate(Gemm(false, true, m, k, n, dy, b.Host));
                if (b.RequiresGrad) b.Accumulate(Gemm(true, false, k, n, m, a.Host, dy));
            }, a, b);
        }

        public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, "Add", Elementwise.Add, negateB: false, dy => dy, dy => dy);
        public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, "Sub", Elementwise.Sub, negateB: true, dy => dy, dy => dy);

        public static Tensor Mul(Tensor a, Tensor b)
            => Binary(a, b, "Mul", Elementwise.Mul, negateB: false, dy => Apply(dy, b.Host, Elementwise.Mul), dy => Apply(dy, a.Host, Elementwise.Mul));

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

        /// <summary>Mean over the batch of −log softmax(logits)[label]; logits [N,C], integer labels [N].</summary>
        public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels)
        {
            if (logits.Rank != 2 || labels.Rank != 1 || logits.Shape[0] != labels.Shape[0])
                throw new ArgumentException($"SoftmaxCrossEntropy: logits is {logits.ShapeText} but labels is {labels.ShapeText}; one label per row is needed.");
            int n = logits.Shape[0], c = logits.Shape[1];
            float loss = Kernel.Forward(logits.Host, labels.LabelData, c, n);
            return Tensor.Record(Tensor.Wrap(new[] { loss }, Array.Empty<int>()), dy =>
            {
                var d = new float[logits.Length];
                Kernel.Backward(logits.Host, labels.LabelData, c, n, d);
                for (int i = 0; i < d.Length; i++) d[i] *= dy[0];
                logits.Accumulate(d);
            }, logits, labels);
        }

        private static Tensor Binary(Tensor a, Tensor b, string name, Action<ReadOnlySpan<float>, ReadOnlySpan<float>, Span<float>> kernel,
            bool negateB, Func<float[], float[]> gradA, Func<float[], float[]> gradB)
        {
            int[] shape = BroadcastShape(a, b, name);
            var y = new float[Elements(shape)];
            kernel(a.Host, b.Host, y);
            return Tensor.Record(Tensor.Wrap(y, shape), dy =>
            {
                if (a.RequiresGrad) a.Accumulate(SumTo(gradA(dy), a));
                if (!b.RequiresGrad) return;
                var db = SumTo(gradB(dy), b);
                if (negateB) Elementwise.Neg(db, db);
                b.Accumulate(db);
            }, a, b);
        }

        private static int[] BroadcastShape(Tensor a, Tensor b, string name)
        {
            if (SameShape(a, b)) return Shape(a);
            if (a.Rank == 2 && b.Rank == 1 && a.Shape[1] == b.Shape[0]) return Shape(a);
            if (b.Rank == 2 && a.Rank == 1 && b.Shape[1] == a.Shape[0]) return Shape(b);
            throw new ArgumentException($"{name}: a is {a.ShapeText} but b is {b.ShapeText}; the shapes must be equal, or one must be a vector as long as the other's last dimension.");
        }

        /// <summary>Sums a broadcast gradient back to the operand's shape.</summary>
        private static float[] SumTo(float[] gradient, Tensor operand)
        {
            if (gradient.Length == operand.Length) return gradient;
            var reduced = new float[operand.Length];
            Elementwise.ReduceRows(gradient, gradient.Length / reduced.Length, reduced);
            return reduced;
        }

        private static float[] Apply(float[] a, float[] b, Action<ReadOnlySpan<float>, ReadOnlySpan<float>, Span<float>> kernel)
        {
            var y = new float[Math.Max(a.Length, b.Length)];
            kernel(a, b, y);
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
