using System;
using System.Linq;
using ILGPU.Runtime;
using Xunit;
using Cpu = OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Transpose, slice, its gradient, concat and the embedding lookup and its gradient against the CPU kernels.</summary>
    public class LayoutKernelTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public LayoutKernelTests(GpuFixture gpu) => _gpu = gpu;


        private void Same(float[] expected, MemoryBuffer1D<float, ILGPU.Stride1D.Dense> actual)
            => Assert.Equal(expected, _gpu.Download(actual, expected.Length));

        [Fact]
        public void Moves_match_the_cpu()
        {
            // x is [outer 2, axis 5, inner 3]
            float[] x = Compare.Values(30, 1, scale: 1), b = Compare.Values(12, 2, scale: 1);
            var s = _gpu.Gpu.Accelerator.DefaultStream;
            var k = _gpu.Kernels;
            using var gx = _gpu.Upload(x);
            using var gb = _gpu.Upload(b);
            using var gy = _gpu.Upload(new float[60]);

            var expected = new float[30];
            Cpu.Elementwise.Transpose(x, 6, 5, expected);
            k.Transpose(s, gx.View, gy.View.SubView(0, 30), 6, 5);
            Same(expected, gy);

            // The same 30 floats as a batch of two 5×3 matrices.
            expected = new float[30];
            Cpu.Elementwise.Transpose(x, 5, 3, expected);
            k.Transpose(s, gx.View, gy.View.SubView(0, 30), 5, 3);
            Same(expected, gy);

            // The same 30 floats as [5, 2, 3], axes reordered (2, 0, 1).
            expected = new float[30];
            var shape = new Planner.Model.Shape(5, 2, 3);
            Cpu.AxisCopy.Permute(x, shape, new[] { 2, 0, 1 }, expected);
            k.Permute(s, gx.View, shape, new[] { 2, 0, 1 }, gy.View.SubView(0, 30));
            Same(expected, gy);

            expected = new float[12];
            Cpu.AxisCopy.Slice(x, 5, 1, 2, 3, expected);
            k.Slice(s, gx.View, gy.View.SubView(0, 12), 5, 1, 2, 3);
            Same(expected, gy);

            expected = new float[30];
            Cpu.AxisCopy.Unslice(b, 5, 1, 2, 3, expected);
            k.Unslice(s, gb.View, gy.View.SubView(0, 30), 5, 1, 2, 3);
            Same(expected, gy);

            expected = new float[42];
            Cpu.AxisCopy.Concat(x, 5, b, 2, 3, expected);
            k.Concat(s, gx.View, 5, gb.View, 2, 3, gy.View.SubView(0, 42));
            Same(expected, gy);
        }

        /// <summary>A device holding table rows 4..9 of a larger table: ids elsewhere read zeros and add nothing,
        /// and repeated ids add up.</summary>
        [Fact]
        public void Embedding_and_its_gradient_match_the_cpu()
        {
            int[] ids = { 4, 9, 2, 4, 7, 12, 4 };
            const int first = 4, rows = 6, width = 3;
            float[] table = Compare.Values(rows * width, 3, scale: 1), dy = Compare.Values(ids.Length * width, 4, scale: 1);
            var s = _gpu.Gpu.Accelerator.DefaultStream;
            using var gIds = _gpu.Gpu.Accelerator.Allocate1D<int>(ids.Length);
            gIds.View.CopyFromCPU(ids);
            using var gTable = _gpu.Upload(table);
            using var gdy = _gpu.Upload(dy);
            using var gy = _gpu.Upload(new float[ids.Length * width]);
            using var gdt = _gpu.Upload(new float[rows * width]);

            var expected = new float[ids.Length * width];
            Cpu.Embedding.Forward(ids, table, first, rows, width, expected);
            _gpu.Kernels.Embedding(s, gIds.View, gTable.View, first, rows, width, gy.View);
            Same(expected, gy);

            var grad = new float[rows * width];
            Cpu.Embedding.Backward(ids, dy, first, rows, width, grad);
            _gpu.Kernels.EmbeddingGrad(s, gIds.View, gdy.View, first, width, gdt.View);
            var actual = _gpu.Download(gdt, grad.Length);
            for (int i = 0; i < grad.Length; i++) Assert.Equal(grad[i], actual[i], 5);
        }
    }
}
