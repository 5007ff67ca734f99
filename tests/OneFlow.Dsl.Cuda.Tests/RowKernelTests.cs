using System;
using System.Linq;
using ILGPU.Runtime;
using Xunit;
using Cpu = OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Each row GPU kernel (softmax, log-softmax, layer norm, reductions over the last axis, cross-entropy,
    /// and their gradients) against the CPU kernel, on random rows at tiny sizes.</summary>
    public class RowKernelTests : IClassFixture<GpuFixture>
    {
        private const int Rows = 5, Cols = 7;
        private readonly GpuFixture _gpu;

        public RowKernelTests(GpuFixture gpu) => _gpu = gpu;



        [Fact]
        public void Row_ops_and_their_gradients_match_the_cpu()
        {
            float[] x = Compare.Values(Rows * Cols, 1, scale: 3), dy = Compare.Values(Rows * Cols, 2, scale: 3), dRow = Compare.Values(Rows, 3, scale: 3);
            var s = _gpu.Gpu.Accelerator.DefaultStream;
            var k = _gpu.Kernels;
            using var gx = _gpu.Upload(x);
            using var gdy = _gpu.Upload(dy);
            using var gRow = _gpu.Upload(dRow);
            using var gy = _gpu.Upload(new float[Rows * Cols]);
            using var gz = _gpu.Upload(new float[Rows * Cols]);

            void Check(int length, Action<float[]> cpu, Action gpu, ILGPU.Runtime.MemoryBuffer1D<float, ILGPU.Stride1D.Dense> output)
            {
                var expected = new float[length];
                cpu(expected);
                gpu();
                Compare.Close(expected, _gpu.Download(output, length));
            }

            // Causal softmax over 7×7 blocks: x holds 5 rows, the first block's first five.
            Check(x.Length, e => Cpu.RowKernels.CausalSoftmax(x, Cols, e), () => k.CausalSoftmax(s, gx.View, gy.View, Cols), gy);

            var softmax = new float[Rows * Cols];
            Cpu.RowKernels.Softmax(x, Cols, softmax);
            Check(x.Length, e => softmax.CopyTo(e, 0), () => k.Softmax(s, gx.View, gy.View, Cols), gy);
            Check(x.Length, e => Cpu.RowKernels.SoftmaxGrad(dy, softmax, Cols, e), () => k.SoftmaxGrad(s, gdy.View, gy.View, gz.View, Cols), gz);

            var logSoftmax = new float[Rows * Cols];
            Cpu.RowKernels.LogSoftmax(x, Cols, logSoftmax);
            Check(x.Length, e => logSoftmax.CopyTo(e, 0), () => k.LogSoftmax(s, gx.View, gy.View, Cols), gy);
            Check(x.Length, e => Cpu.RowKernels.LogSoftmaxGrad(dy, logSoftmax, Cols, e), () => k.LogSoftmaxGrad(s, gdy.View, gy.View, gz.View, Cols), gz);

            Check(x.Length, e => Cpu.RowKernels.LayerNorm(x, Cols, e), () => k.LayerNorm(s, gx.View, gy.View, Cols), gy);
            Check(x.Length, e => Cpu.RowKernels.LayerNormGrad(dy, x, Cols, e), () => k.LayerNormGrad(s, gdy.View, gx.View, gz.View, Cols), gz);

            Check(Rows, e => Cpu.RowKernels.SumLast(x, Cols, 3f, e), () => k.SumLast(s, gx.View, gy.View.SubView(0, Rows), Cols, 3f), gy);
            Check(x.Length, e => Cpu.RowKernels.ExpandLast(dRow, Cols, 3f, e), () => k.ExpandLast(s, gRow.View, gy.View, Cols, 3f), gy);
            Check(Rows, e => Cpu.RowKernels.MaxLast(x, Cols, e), () => k.MaxLast(s, gx.View, gy.View.SubView(0, Rows), Cols), gy);
            Check(x.Length, e => Cpu.RowKernels.MaxLastGrad(dRow, x, Cols, e), () => k.MaxLastGrad(s, gRow.View, gx.View, gz.View, Cols), gz);
        }

        [Fact]
        public void Cross_entropy_and_its_gradient_match_the_cpu()
        {
            const int batch = 8;
            float[] logits = Compare.Values(Rows * Cols, 4, scale: 3);
            int[] labels = Enumerable.Range(0, Rows).Select(r => (r * 3) % Cols).ToArray();
            var s = _gpu.Gpu.Accelerator.DefaultStream;
            using var gLogits = _gpu.Upload(logits);
            using var gLabels = _gpu.Gpu.Accelerator.Allocate1D<int>(labels.Length);
            gLabels.View.CopyFromCPU(labels);
            using var rowLoss = _gpu.Upload(new float[Rows]);
            using var loss = _gpu.Upload(new float[1]);
            using var grad = _gpu.Upload(new float[Rows * Cols]);

            _gpu.Kernels.CrossEntropy(s, gLogits.View, gLabels.View, rowLoss.View, loss.View, Cols, batch);
            Compare.Close(new[] { Cpu.SoftmaxCrossEntropy.Forward(logits, labels, Cols, batch) }, _gpu.Download(loss, 1));

            var expected = new float[Rows * Cols];
            Cpu.SoftmaxCrossEntropy.Backward(logits, labels, Cols, batch, expected);
            _gpu.Kernels.CrossEntropyGrad(s, gLogits.View, gLabels.View, grad.View, Cols, batch);
            Compare.Close(expected, _gpu.Download(grad, expected.Length));
        }
    }
}
