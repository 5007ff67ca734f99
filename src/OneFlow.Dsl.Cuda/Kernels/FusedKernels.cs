using System.Linq;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Passes;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>A fused group (<c>FusedOp.cs</c>) as one launch: one thread per output element reads that element of
    /// each input, runs the program's steps in registers and writes the last. The program is a table on the device,
    /// made when the session opens, and every thread of a launch takes the same branch at each step, so one kernel
    /// serves every group (see docs/architecture.md, "Fusion"). Each step uses its op's own formula.</summary>
    internal static class FusedKernels
    {
        private const int Values = Fusion.MaxInputs + Fusion.MaxSteps;

        /// <summary>Ints per input (offset in memory, inner, length) and per step (code, three operands, constant's bits).</summary>
        private const int PerInput = 3, PerStep = 5;

        [ModuleInitializer]
        internal static void Register()
            => GpuKernels.Add(OpKind.Fused, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int, int>(Fused);
                return k =>
                {
                    var program = FusedOp.Attributes(k.Op);
                    run(k.Stream, k.Threads, k.Memory, k.Table, program.Inputs.Count, program.Program.Count, (int)k.OutputOffset);
                };
            }, table: Table);

        private static int[] Table(GpuKernelContext k)
        {
            var a = FusedOp.Attributes(k.Op);
            var table = new int[PerInput * a.Inputs.Count + PerStep * a.Program.Count];
            for (int i = 0; i < a.Inputs.Count; i++)
            {
                var (inner, length) = Runtime.Kernels.Fused.Layout(a.Inputs[i], k.OutShape, k.InShape(i), k.Op.Origin);
                table[PerInput * i] = (int)k.InputOffsets[i];
                table[PerInput * i + 1] = (int)inner;
                table[PerInput * i + 2] = length;
            }
            for (int s = 0; s < a.Program.Count; s++)
            {
                var step = a.Program[s];
                int at = PerInput * a.Inputs.Count + PerStep * s;
                table[at] = (int)step.Code;
                table[at + 1] = step.Operands.ElementAtOrDefault(0);
                table[at + 2] = step.Operands.ElementAtOrDefault(1);
                table[at + 3] = step.Operands.ElementAtOrDefault(2);
                table[at + 4] = System.BitConverter.SingleToInt32Bits((float)step.Constant);
            }
            return table;
        }

        public static void Fused(Index1D i, ArrayView<float> memory, ArrayView<int> table, int inputs, int steps, int output)
        {
            var values = LocalMemory.Allocate<float>(Values);
            for (int k = 0; k < inputs; k++)
                values[k] = memory[table[PerInput * k] + i / table[PerInput * k + 1] % table[PerInput * k + 2]];
            int at = PerInput * inputs;
            for (int s = 0; s < steps; s++, at += PerStep)
                values[inputs + s] = Evaluate((PointwiseCode)table[at], values[table[at + 1]], values[table[at + 2]], values[table[at + 3]], Interop.IntAsFloat((uint)table[at + 4]));
            memory[output + i] = values[inputs + steps - 1];
        }

        private static float Evaluate(PointwiseCode code, float a, float b, float d, float c)
        {
            switch (code)
            {
                case PointwiseCode.Fill: return c;
                case PointwiseCode.Scale: return a * c;
                case PointwiseCode.AddScalar: return a + c;
                case PointwiseCode.Neg: return -a;
                case PointwiseCode.Add: return a + b;
                case PointwiseCode.Sub: return a - b;
                case PointwiseCode.Mul: return a * b;
                case PointwiseCode.Div: return a / b;
                case PointwiseCode.Relu: return ActivationKernels.ReluOf(a);
                case PointwiseCode.ReluGrad: return ActivationKernels.ReluGradOf(a, b);
                case PointwiseCode.Gelu: return GeluKernels.GeluOf(a, false);
                case PointwiseCode.GeluTanh: return GeluKernels.GeluOf(a, true);
                case PointwiseCode.GeluGrad: return GeluKernels.GeluGradOf(a, b, false);
                case PointwiseCode.GeluTanhGrad: return GeluKernels.GeluGradOf(a, b, true);
                case PointwiseCode.Sigmoid: return SigmoidKernels.SigmoidOf(a);
                case PointwiseCode.SigmoidGrad: return SigmoidKernels.SigmoidGradOf(a, b);
                case PointwiseCode.Tanh: return XMath.Tanh(a);
                case PointwiseCode.TanhGrad: return PointwiseMathKernels.TanhGradOf(a, b);
                case PointwiseCode.SumExpGrad: return SoftmaxCrossEntropyKernels.SumExpGradOf(a, b, d);
                default: return XMath.Exp(a);
            }
        }
    }
}
