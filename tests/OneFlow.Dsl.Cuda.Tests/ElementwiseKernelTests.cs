using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Each elementwise GPU kernel against the CPU kernel the runtime uses, on random data at tiny sizes.</summary>
    public class ElementwiseKernelTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public ElementwiseKernelTests(GpuFixture gpu) => _gpu = gpu;



        [Fact]
        public void The_accelerator_is_a_gpu_or_the_simulator()
            => Assert.Contains(_gpu.Gpu.Accelerator.AcceleratorType, new[] { ILGPU.Runtime.AcceleratorType.Cuda, ILGPU.Runtime.AcceleratorType.CPU });

        [Theory]
        [InlineData("[3,5]", "[3,5]")]
        [InlineData("[4,6]", "[4,6]")]
        [InlineData("[3,5]", "[5]")]
        [InlineData("[5]", "[3,5]")]
        [InlineData("[4,1]", "[5]")]
        [InlineData("[2,3,5]", "[2,1,5]")]
        [InlineData("[2,3,4,5]", "[4,1]")]
        [InlineData("[2,1,5]", "[1,3,1]")]
        public void Broadcasting_binary_ops_and_sums(string a, string b)
        {
            Shape sa = Shape.Parse(a), sb = Shape.Parse(b), sy = BroadcastShapes.Of(sa, sb)!;
            float[] x = Compare.Values((int)sa.Elements, 1), w = Compare.Values((int)sb.Elements, 2);
            int n = (int)sy.Elements;
            using var ga = _gpu.Upload(x);
            using var gb = _gpu.Upload(w);
            using var gy = _gpu.Upload(new float[n]);
            foreach (BinaryOp op in Enum.GetValues(typeof(BinaryOp)))
            {
                var expected = new float[n];
                Broadcasting.Binary(op, x, sa, w, sb, expected, sy);
                var launch = op switch { BinaryOp.Add => (Action<ILGPU.Runtime.AcceleratorStream, ILGPU.ArrayView<float>, Shape, ILGPU.ArrayView<float>, Shape, ILGPU.ArrayView<float>, Shape>)_gpu.Kernels.Add, BinaryOp.Sub => _gpu.Kernels.Sub, _ => _gpu.Kernels.Mul };
                launch(_gpu.Gpu.Accelerator.DefaultStream, ga.View, sa, gb.View, sb, gy.View.SubView(0, n), sy);
                Compare.Close(expected, _gpu.Download(gy, n));
            }
            foreach (var target in new[] { sa, sb })
            {
                var g = Compare.Values(n, 3);
                var expected = new float[target.Elements];
                Broadcasting.SumTo(g, sy, expected, target);
                using var gg = _gpu.Upload(g);
                using var gs = _gpu.Upload(new float[target.Elements]);
                _gpu.Kernels.SumTo(_gpu.Gpu.Accelerator.DefaultStream, gg.View, sy, gs.View.SubView(0, (int)target.Elements), target);
                Compare.Close(expected, _gpu.Download(gs, (int)target.Elements), 1e-4);
            }
        }

        [Fact]
        public void Unary_ops_and_their_gradients()
        {
            const int n = 37;
            float[] x = Compare.Values(n, 4), dy = Compare.Values(n, 5);
            using var gx = _gpu.Upload(x);
            using var gdy = _gpu.Upload(dy);
            using var gy = _gpu.Upload(new float[n]);
            var s = _gpu.Gpu.Accelerator.DefaultStream;

            void Check(Action<float[]> cpu, Action gpu)
            {
                var expected = new float[n];
                cpu(expected);
                gpu();
                Compare.Close(expected, _gpu.Download(gy, n));
            }

            Check(e => Elementwise.Neg(x, e), () => _gpu.Kernels.Neg(s, gx.View, gy.View));
            Check(e => Elementwise.Scale(x, -0.375f, e), () => _gpu.Kernels.Scale(s, gx.View, -0.375f, gy.View));
            Check(e => Elementwise.Relu(x, e), () => _gpu.Kernels.Relu(s, gx.View, gy.View));
            Check(e => Elementwise.ReluGrad(dy, x, e), () => _gpu.Kernels.ReluGrad(s, gdy.View, gx.View, gy.View));
            Check(e => Elementwise.Gelu(x, e), () => _gpu.Kernels.Gelu(s, gx.View, gy.View));
            Check(e => Elementwise.GeluGrad(dy, x, e), () => _gpu.Kernels.GeluGrad(s, gdy.View, gx.View, gy.View));
        }

        [Fact]
        public void Momentum_and_adam_updates_match_the_cpu()
        {
            float[] w = Compare.Values(29, 6), g = Compare.Values(29, 7), m = Compare.Values(29, 8), v = Compare.Values(29, 9).Select(Math.Abs).ToArray();
            var s = _gpu.Gpu.Accelerator.DefaultStream;
            using var gw = _gpu.Upload(w);
            using var gg = _gpu.Upload(g);
            using var gm = _gpu.Upload(m);
            using var gv = _gpu.Upload(v);
            _gpu.Kernels.MomentumUpdate(s, gw.View, gg.View, gm.View, 0.1f, 0.9f);
            float[] ew = (float[])w.Clone(), em = (float[])m.Clone(), ev = (float[])v.Clone();
            Elementwise.MomentumUpdate(ew, g, em, 0.1f, 0.9f);
            Compare.Close(ew, _gpu.Download(gw, 29));
            Compare.Close(em, _gpu.Download(gm, 29));
            _gpu.Kernels.AdamUpdate(s, gw.View, gg.View, gm.View, gv.View, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3);
            Elementwise.AdamUpdate(ew, g, em, ev, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3);
            Compare.Close(ew, _gpu.Download(gw, 29));
            Compare.Close(em, _gpu.Download(gm, 29));
            Compare.Close(ev, _gpu.Download(gv, 29));
        }

        [Fact]
        public void Sgd_update_in_place()
        {
            float[] w = Compare.Values(29, 6), g = Compare.Values(29, 7);
            using var gw = _gpu.Upload(w);
            using var gg = _gpu.Upload(g);
            _gpu.Kernels.SgdUpdate(_gpu.Gpu.Accelerator.DefaultStream, gw.View, gg.View, 0.25f);
            var expected = (float[])w.Clone();
            Elementwise.SgdUpdate(expected, g, 0.25f);
            Compare.Close(expected, _gpu.Download(gw, w.Length));
        }

        /// <summary>The part [1..3, 2..6] of a [4, 7] tensor: the GPU drops exactly the elements the CPU drops.</summary>
        [Fact]
        public void Dropout_draws_the_cpu_mask()
        {
            int[] start = { 1, 2 }, length = { 3, 4 };
            long[] strides = { 7, 1 };
            float[] x = Compare.Values(12, 8);
            var expected = new float[12];
            Dropout.Apply(x, expected, 0.3, 42, 5, start, length, strides);
            using var gx = _gpu.Upload(x);
            using var gy = _gpu.Upload(new float[12]);
            _gpu.Kernels.Dropout(_gpu.Gpu.Accelerator.DefaultStream, gx.View, gy.View, 0.3, 42, 5, start, length, strides);
            var actual = _gpu.Download(gy, 12);
            Assert.Contains(expected, v => v == 0f);
            for (int i = 0; i < 12; i++) Assert.Equal(expected[i], actual[i], 6);
        }
    }
}
