using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>Elementwise kernels on spans, vectorised by TensorPrimitives; the binary ones broadcast (see
    /// <see cref="Broadcasting"/>).</summary>
    internal static class Elementwise
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Neg, k => Neg(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Scale, k => Scale(k.In(0), ScaleOp.Factor(k.Op), k.Out));
            CpuKernels.Add(OpKind.Fill, k => k.Out.Fill(FillOp.Value(k.Op)));
            CpuKernels.Add(OpKind.AddScalar, k => TensorPrimitives.Add(k.In(0), AddScalarOp.Value(k.Op), k.Out));
            CpuKernels.Add(OpKind.Accumulate, k =>
            {
                int n = AccumulateOp.MicroBatches(k.Op);
                AccumulateMean(k.In(0), k.Out, k.Piece % n == 0, n);
            });
            CpuKernels.Add(OpKind.Relu, k => ParallelRanges.Elements(k, static (k, first, last) => Relu(k.In(0)[first..last], k.Out[first..last])));
            CpuKernels.Add(OpKind.ReluGrad, k => ParallelRanges.Elements(k, static (k, first, last) => ReluGrad(k.In(0)[first..last], k.In(1)[first..last], k.Out[first..last])));
            CpuKernels.Add(OpKind.Transpose, k => Transpose(k.In(0), k.InShape(0)[k.InShape(0).Rank - 2], k.LastOf(0), k.Out));
            CpuKernels.Add(OpKind.SumSquares, k => k.Out[0] = TensorPrimitives.SumOfSquares(k.In(0)));
            CpuKernels.Add(OpKind.SgdUpdate, k => SgdUpdate(k.Mutable(0), k.In(1), k.LearningRate, GradScale(k)));
            CpuKernels.Add(OpKind.MomentumUpdate, k => MomentumUpdate(k.Mutable(0), k.In(1), k.Mutable(2), k.LearningRate, k.Optimizer.Momentum, GradScale(k)));
            CpuKernels.Add(OpKind.AdagradUpdate, k => AdagradUpdate(k.Mutable(0), k.In(1), k.Mutable(2), k.LearningRate, k.Optimizer.Epsilon, GradScale(k)));
            CpuKernels.Add(OpKind.AdamUpdate, k =>
            {
                var o = k.Optimizer;
                AdamUpdate(k.Mutable(0), k.In(1), k.Mutable(2), k.Mutable(3), k.LearningRate, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay, o.Step, GradScale(k));
            });
        }

        /// <summary>1, or for an update clipped by the global norm, the factor its last operand (the squared norm) gives.</summary>
        private static unsafe float GradScale(CpuKernelContext k)
            => UpdateOp.IsClipped(k.Op) ? k.Optimizer.ClipScale(*k.InPointer(k.Op.Inputs.Length - 1)) : 1f;

        public static void Neg(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Negate(x, y);

        public static void Scale(ReadOnlySpan<float> x, float c, Span<float> y) => TensorPrimitives.Multiply(x, c, y);

        /// <summary>y = x/n on a step's first micro-batch, y += x/n on the others: after n of them, their mean.</summary>
        public static void AccumulateMean(ReadOnlySpan<float> x, Span<float> y, bool first, int n)
        {
            if (first) TensorPrimitives.Multiply(x, 1f / n, y);
            else TensorPrimitives.MultiplyAdd(x, 1f / n, y, y);
        }

        public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

        /// <summary>dx = dy where y &gt; 0, else 0: a vector select, since a branch per element mispredicts on every
        /// sign change of real activations.</summary>
        public static void ReluGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
        {
            int i = 0;
            for (; i + Vector<float>.Count <= dx.Length; i += Vector<float>.Count)
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(y.Slice(i)), Vector<float>.Zero), new Vector<float>(dy.Slice(i)), Vector<float>.Zero)
                    .CopyTo(dx.Slice(i));
            for (; i < dx.Length; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
        }

        /// <summary>y = xᵀ for each rows×cols matrix of a batch (a single matrix is a batch of one).</summary>
        public static void Transpose(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
        {
            int size = rows * cols;
            for (int b = 0; b < x.Length / size; b++)
            {
                var from = x.Slice(b * size, size);
                var to = y.Slice(b * size, size);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) to[c * rows + r] = from[r * cols + c];
            }
        }

        /// <summary>v = μ·v + g; w −= lr · v.</summary>
        public static void MomentumUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> v, float lr, float momentum, float gradScale = 1f)
        {
            TensorPrimitives.Multiply(v, momentum / gradScale, v);
            TensorPrimitives.Add(v, g, v);
            TensorPrimitives.Multiply(v, gradScale, v);
            TensorPrimitives.MultiplyAdd(v, -lr, w, w);
        }

        /// <summary>AdamW at step <paramref name="step"/> (from 1): m and v move toward g and g², bias-corrected;
        /// w −= lr · (m̂ / (√v̂ + ε) + decay · w). With decay 0 it is Adam.</summary>
        public static void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
            float lr, float beta1, float beta2, float epsilon, float decay, long step, float gradScale = 1f)
        {
            float c1 = 1 - MathF.Pow(beta1, step), c2 = 1 - MathF.Pow(beta2, step);
            int i = 0;
            // The vectors compute what the scalar loop does, operation for operation, so both give the same bits.
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> b1 = Vector256.Create(beta1), b2 = Vector256.Create(beta2), rest1 = Vector256.Create(1 - beta1),
                    rest2 = Vector256.Create(1 - beta2), scale = Vector256.Create(gradScale), rate = Vector256.Create(lr),
                    bias1 = Vector256.Create(c1), bias2 = Vector256.Create(c2), eps = Vector256.Create(epsilon), wd = Vector256.Create(decay);
                for (; i + Vector256<float>.Count <= w.Length; i += Vector256<float>.Count)
                {
                    var gi = Vector256.Create(g.Slice(i)) * scale;
                    var mi = b1 * Vector256.Create(m.Slice(i)) + rest1 * gi;
                    var vi = b2 * Vector256.Create(v.Slice(i)) + rest2 * gi * gi;
                    var wi = Vector256.Create(w.Slice(i));
                    mi.CopyTo(m.Slice(i));
                    vi.CopyTo(v.Slice(i));
                    (wi - rate * (mi / bias1 / (Vector256.Sqrt(vi / bias2) + eps) + wd * wi)).CopyTo(w.Slice(i));
                }
            }
            for (; i < w.Length; i++)
            {
                float gi = g[i] * gradScale;
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                w[i] -= lr * (m[i] / c1 / (MathF.Sqrt(v[i] / c2) + epsilon) + decay * w[i]);
            }
        }

        /// <summary>s += g²; w −= lr · g / (√s + ε).</summary>
        public static void AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> s, float lr, float epsilon, float gradScale = 1f)
        {
            for (int i = 0; i < w.Length; i++)
            {
                float gi = g[i] * gradScale;
                s[i] += gi * gi;
                w[i] -= lr * gi / (MathF.Sqrt(s[i]) + epsilon);
            }
        }

        /// <summary>w −= lr · g.</summary>
        public static void SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float lr, float gradScale = 1f) => TensorPrimitives.MultiplyAdd(g, -lr * gradScale, w, w);
    }
}
