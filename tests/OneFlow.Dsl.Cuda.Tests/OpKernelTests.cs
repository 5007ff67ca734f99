using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Cuda.Kernels;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Runtime.Kernels;
using OneFlow.Dsl.Testing;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Every op kind's GPU kernel against its CPU kernel, on the samples of <see cref="OpSamples"/>: the same
    /// operands, two pieces in a row (an accumulation's first and later micro-batch, dropout's masks of two steps),
    /// the output and every operand an update changes in place compared.</summary>
    public class OpKernelTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public OpKernelTests(GpuFixture gpu) => _gpu = gpu;

        [Theory]
        [MemberData(nameof(OpSamples.Kernels), MemberType = typeof(OpSamples))]
        public void The_gpu_kernel_gives_the_cpu_kernels_result(string name)
        {
            var sample = OpSamples.Named(name);
            var (graph, op) = SingleOp.Build(sample.Kind, sample.Operands.Select(o => o.Shape).ToArray(), sample.Operands.Select(o => o.Type).ToArray(),
                sample.Attributes);
            Compare(sample.Kind, SingleOp.Geometry(graph, op), sample.Inputs(seed: 1), integers: op.Output >= 0 && graph.Tensor(op.Output).DType != DType.F32);
        }

        /// <summary>A device holding rows 4..9 of a table of 14: ids elsewhere read zeros and add nothing, repeated
        /// ids add up.</summary>
        [Fact]
        public void Embedding_into_part_of_a_table_matches_the_cpu()
        {
            int[] ids = { 4, 9, 2, 4, 7, 12, 4 };
            var table = new Shape(6, 3);
            var whole = new Shape(14, 3);
            var lookup = Part(OpKind.Embedding, new[] { new Shape(7), table }, new Shape(7, 3), new[] { new Shape(7), whole }, new Shape(7, 3), new[] { new[] { 0 }, new[] { 4, 0 } }, new[] { 0, 0 });
            Compare(OpKind.Embedding, lookup, new Array[] { ids, Values(18, 3) });
            var gradient = Part(OpKind.EmbeddingGrad, new[] { new Shape(7), new Shape(7, 3), table }, table, new[] { new Shape(7), new Shape(7, 3), whole }, whole,
                new[] { new[] { 0 }, new[] { 0, 0 }, new[] { 4, 0 } }, new[] { 4, 0 });
            Compare(OpKind.EmbeddingGrad, gradient, new Array[] { ids, Values(21, 4), Values(18, 5) });
        }

        /// <summary>The part [1..3, 2..6] of a [4, 7] tensor: the GPU drops exactly the elements the CPU drops.</summary>
        [Fact]
        public void Dropout_of_a_part_draws_the_cpu_mask()
        {
            var part = new Shape(3, 4);
            var dropout = Part(OpKind.Dropout, new[] { part }, part, new[] { new Shape(4, 7) }, new Shape(4, 7), new[] { new[] { 1, 2 } }, new[] { 1, 2 }, new DropoutAttributes(0.3));
            Compare(OpKind.Dropout, dropout, new Array[] { Values(12, 8) });
        }

        private static OpGeometry Part(OpKind kind, Shape[] inputs, Shape output, Shape[] wholeInputs, Shape wholeOutput, int[][] inputStarts, int[] outputStart, OpAttributes? attributes = null)
        {
            var here = Placement.Parse("cpu:0");
            var op = new PlanOp(0, kind, Enumerable.Range(0, inputs.Length).ToArray(), inputs.Length, attributes, kind.ToString(), here, here);
            return new OpGeometry(op, inputs, output, wholeInputs, wholeOutput, inputStarts, outputStart);
        }

        private static float[] Values(int n, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        /// <param name="integers">The output holds integers (positions), compared exactly.</param>
        private void Compare(OpKind kind, OpGeometry geometry, Array[] inputs, bool integers = false)
        {
            var accelerator = _gpu.Gpu.Accelerator;
            var settings = new OptimizerSettings { LearningRate = 0.1f, Step = 3, WeightDecay = 0.01f, MaxGradNorm = 0.5f };
            var cpuInputs = inputs.Select(a => (Array)a.Clone()).ToArray();
            float[]? output = geometry.Op.Output >= 0 ? Values((int)geometry.Output.Elements, 99) : null;
            // One allocation holds every operand, as a session's does: a kernel may read its operands by offset in it.
            var data = inputs.Select(a => a is int[] ints ? ints.Select(BitConverter.Int32BitsToSingle).ToArray() : (float[])a).Append(output ?? new float[1]).ToArray();
            var offsets = new long[data.Length];
            for (int i = 1; i < data.Length; i++) offsets[i] = offsets[i - 1] + (Math.Max(1, data[i - 1].Length) + 15) / 16 * 16;
            var whole = new float[offsets[^1] + Math.Max(1, data[^1].Length)];
            for (int i = 0; i < data.Length; i++) data[i].CopyTo(whole, offsets[i]);
            using var memory = _gpu.Upload(whole);
            using var stepValues = _gpu.Upload(StepValues.Of(settings, 0));
            using var gemm = new GpuGemm(accelerator);
            var kernel = GpuKernels.Describe(kind);
            using var scratch = accelerator.Allocate1D<float>(Math.Max(1, kernel.Scratch?.Invoke(geometry) ?? 1));
            using var workspace = accelerator.Allocate1D<float>(Math.Max(1, OpRegistry.Get(kind).WorkspaceElements(geometry.Op, geometry.Inputs, geometry.Output)));
            var all = memory.View.AsContiguous();
            ArrayView<float> View(int i, long elements) => all.SubView(offsets[i], Math.Max(1, elements));
            var gpu = new GpuKernelContext(geometry, inputs.Select((_, i) => View(i, geometry.Inputs[i].Elements)).ToArray(), View(inputs.Length, geometry.Output.Elements),
                    accelerator.DefaultStream, gemm)
                { Optimizer = settings, Scratch = scratch.View.AsContiguous(), Workspace = workspace.View.AsContiguous(), StepValues = stepValues.View.AsContiguous(),
                  Memory = all, InputOffsets = offsets[..^1], OutputOffset = offsets[^1] };
            using var table = kernel.Table is { } make ? accelerator.Allocate1D(make(gpu) is { Length: > 0 } t ? t : new int[1]) : null;
            if (table != null) gpu.Table = table.View.AsContiguous();
            var cpu = new CpuKernelContext(geometry) { Optimizer = settings };
            for (long piece = 0; piece < 2; piece++)
            {
                cpu.Piece = gpu.Piece = piece;
                stepValues.View.CopyFromCPU(StepValues.Of(settings, piece));
                CpuKernels.RunWhole(cpu, cpuInputs, output);
                _gpu.Kernels.For(kind)(gpu);
                var after = _gpu.Download(memory, whole.Length);
                float[] Part(int i, int length) => after.AsSpan((int)offsets[i], length).ToArray();
                if (output != null && integers)
                    Assert.Equal(output.Select(BitConverter.SingleToInt32Bits), Part(inputs.Length, output.Length).Select(BitConverter.SingleToInt32Bits));
                else if (output != null) Cuda.Tests.Compare.Close(output, Part(inputs.Length, output.Length), 2e-5);
                for (int i = 0; i < inputs.Length; i++)
                    if (cpuInputs[i] is float[] changed) Cuda.Tests.Compare.Close(changed, Part(i, changed.Length), 2e-5);
            }
        }
    }
}
