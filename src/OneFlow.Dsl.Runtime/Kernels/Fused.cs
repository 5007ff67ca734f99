using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>A fused group (<c>FusedOp.cs</c>) in one pass over memory: the output a block of elements at a time, each
    /// step of the program over the block while it is in the first-level cache, with the vectorised functions its ops'
    /// own kernels use, so that fused and unfused give the same numbers.</summary>
    internal static class Fused
    {
        /// <summary>Elements per block: every value of a program of <see cref="Planner.Passes.Fusion.MaxSteps"/> steps fits in 48 KB.</summary>
        private const int Block = 512;

        [ThreadStatic] private static float[]? _values;

        [ModuleInitializer]
        internal static void Register() => CpuKernels.Add(OpKind.Fused, k => ParallelRanges.Elements(k, static (k, first, last) => Run(k, first, last)));

        private static void Run(CpuKernelContext k, int first, int last)
        {
            var a = FusedOp.Attributes(k.Op);
            var values = _values ??= new float[(Planner.Passes.Fusion.MaxInputs + Planner.Passes.Fusion.MaxSteps) * Block];
            Span<(long Inner, int Length)> reads = stackalloc (long, int)[a.Inputs.Count];
            for (int i = 0; i < reads.Length; i++) reads[i] = Layout(a.Inputs[i], k.OutShape, k.InShape(i), k.Op.Origin);
            int row = k.OutShape.Rank == 0 ? 1 : k.OutShape[k.OutShape.Rank - 1];
            for (int start = first; start < last; start += Block)
            {
                int n = Math.Min(Block, last - start);
                for (int i = 0; i < reads.Length; i++)
                    if (reads[i].Length != k.OutShape.Elements) Gather(k.In(i), reads[i].Inner, reads[i].Length, start, values.AsSpan(i * Block, n));
                for (int s = 0; s < a.Program.Count; s++)
                {
                    var step = a.Program[s];
                    var y = s == a.Program.Count - 1 ? k.Out.Slice(start, n) : values.AsSpan((reads.Length + s) * Block, n);
                    Evaluate(step.Code, (float)step.Constant, Operand(k, values, reads, step, 0, start, n), Operand(k, values, reads, step, 1, start, n),
                        Operand(k, values, reads, step, 2, start, n), y, start, row);
                }
            }
        }

        /// <summary>Where input <paramref name="input"/> is read: element (i / Inner) mod Length for output element i.</summary>
        internal static (long Inner, int Length) Layout(FusedInput input, Shape output, Shape local, string origin)
        {
            long inner = 1, length = 1;
            for (int d = input.To; d < output.Rank; d++) inner *= output[d];
            for (int d = input.From; d < input.To; d++) length *= output[d];
            if (length != local.Elements)
                throw new InvalidOperationException($"{origin}: a fused input of {local} elements does not run along {length} elements of the output {output}.");
            return (inner, (int)length);
        }

        /// <summary>The block's elements of a repeated input, a run at a time: a run of the input itself where it varies
        /// fastest (a bias along the last axis), else one element repeated (a channel's value over its plane).</summary>
        private static void Gather(ReadOnlySpan<float> x, long inner, int length, int start, Span<float> block)
        {
            int at = (int)(start / inner % length);
            long within = start % inner;
            for (int j = 0; j < block.Length;)
            {
                if (inner == 1)
                {
                    int run = Math.Min(block.Length - j, length - at);
                    x.Slice(at, run).CopyTo(block.Slice(j, run));
                    j += run;
                    at = 0;
                    continue;
                }
                int repeat = (int)Math.Min(block.Length - j, inner - within);
                block.Slice(j, repeat).Fill(x[at]);
                j += repeat;
                within += repeat;
                if (within == inner)
                {
                    within = 0;
                    if (++at == length) at = 0;
                }
            }
        }

        /// <summary>The step's operand <paramref name="which"/> over the block: an input read in place where it has the
        /// output's elements, else its gathered copy, or an earlier step's values.</summary>
        private static ReadOnlySpan<float> Operand(CpuKernelContext k, float[] values, ReadOnlySpan<(long Inner, int Length)> reads, FusedInstruction step, int which, int start, int n)
        {
            if (which >= step.Operands.Length) return default;
            int v = step.Operands[which];
            if (v < reads.Length && reads[v].Length == k.OutShape.Elements) return k.In(v).Slice(start, n);
            return values.AsSpan(v * Block, n);
        }

        /// <param name="start">The block's first element, and <paramref name="row"/> the length of the output's rows.</param>
        private static void Evaluate(PointwiseCode code, float c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> d, Span<float> y, int start, int row)
        {
            switch (code)
            {
                case PointwiseCode.Fill: y.Fill(c); break;
                case PointwiseCode.Scale: Arithmetic.Scale(a, c, y); break;
                case PointwiseCode.AddScalar: TensorPrimitives.Add(a, c, y); break;
                case PointwiseCode.Neg: Arithmetic.Neg(a, y); break;
                case PointwiseCode.Add: Broadcasting.Rows.Apply(BinaryOp.Add, a, b, y); break;
                case PointwiseCode.Sub: Broadcasting.Rows.Apply(BinaryOp.Sub, a, b, y); break;
                case PointwiseCode.Mul: Broadcasting.Rows.Apply(BinaryOp.Mul, a, b, y); break;
                case PointwiseCode.Div: Broadcasting.Rows.Apply(BinaryOp.Div, a, b, y); break;
                case PointwiseCode.Relu: Activation.Relu(a, y); break;
                case PointwiseCode.ReluGrad: Activation.ReluGrad(a, b, y); break;
                case PointwiseCode.Gelu: Gelu.Exact(a, y); break;
                case PointwiseCode.GeluTanh: Gelu.Approximate(a, y); break;
                case PointwiseCode.GeluGrad: Gelu.ExactGrad(a, b, y); break;
                case PointwiseCode.GeluTanhGrad: Gelu.ApproximateGrad(a, b, y); break;
                case PointwiseCode.Sigmoid: TensorPrimitives.Sigmoid(a, y); break;
                case PointwiseCode.SigmoidGrad: Sigmoid.Backward(a, b, y); break;
                case PointwiseCode.Tanh: TensorPrimitives.Tanh(a, y); break;
                case PointwiseCode.TanhGrad: PointwiseMath.TanhGrad(a, b, y); break;
                case PointwiseCode.Exp: TensorPrimitives.Exp(a, y); break;
                case PointwiseCode.SumExpGrad:
                    // As SoftmaxCrossEntropy.SumExpGrad: x − m, its exponential a row at a time, times ds. Row by row as there,
                    // since the vectorised exponential may round a short span's elements otherwise than a long one's.
                    TensorPrimitives.Subtract(b, d, y);
                    for (int j = 0; j < y.Length;)
                    {
                        int run = Math.Min(y.Length - j, row - (start + j) % row);
                        TensorPrimitives.Exp(y.Slice(j, run), y.Slice(j, run));
                        j += run;
                    }
                    TensorPrimitives.Multiply(y, a, y);
                    break;
                default: throw new NotSupportedException($"The CPU backend cannot evaluate {code} in a fused kernel.");
            }
        }
    }
}
