using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Every op's gradient against central finite differences (in double precision, on the float kernels),
    /// and the compiled plan's gradients against the eager ones.</summary>
    public class GradientTests
    {
        private static readonly Tensor Labels = Data.Labels(3, 4, 5);

        /// <summary>Perturbs each element of each leaf and compares the slope of the loss with its gradient.</summary>
        private static void Check(Func<Tensor[], Tensor> f, params Tensor[] leaves)
        {
            foreach (var leaf in leaves) { leaf.RequiresGrad = true; leaf.Grad = null; }
            f(leaves).Backward();
            const float h = 1e-2f;
            foreach (var leaf in leaves)
            {
                var data = leaf.Host;
                var grad = leaf.Grad!.ToArray();
                for (int i = 0; i < data.Length; i++)
                {
                    float saved = data[i];
                    data[i] = saved + h; double up = f(leaves).Item();
                    data[i] = saved - h; double down = f(leaves).Item();
                    data[i] = saved;
                    double numeric = (up - down) / (2 * h);
                    Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"element {i}: numeric {numeric}, autograd {grad[i]}");
                }
            }
        }

        private static Tensor Loss(Tensor logits) => Ops.SoftmaxCrossEntropy(logits, Labels);

        [Fact] public void MatMul() => Check(t => Loss(Ops.MatMul(t[0], t[1])), Data.Floats(1, 4, 3), Data.Floats(2, 3, 5));
        [Fact] public void Add_with_bias() => Check(t => Loss(t[0] + t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Add_bias_on_the_left() => Check(t => Loss(t[1] + t[0]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Sub() => Check(t => Loss(t[0] - t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void Sub_bias() => Check(t => Loss(t[0] - t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Mul() => Check(t => Loss(t[0] * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void Mul_bias() => Check(t => Loss(t[0] * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Relu() => Check(t => Loss(Ops.Relu(t[0])), Data.Floats(1, 4, 5));
        [Fact] public void SoftmaxCrossEntropy() => Check(t => Loss(t[0]), Data.Floats(1, 4, 5));
        [Fact] public void Gelu() => Check(t => Loss(Ops.Gelu(t[0])), Data.Floats(1, 4, 5));
        [Fact] public void Softmax() => Check(t => Loss(Ops.Softmax(t[0]) * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void LogSoftmax() => Check(t => Loss(Ops.LogSoftmax(t[0]) * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void LayerNorm() => Check(t => Loss(Ops.LayerNorm(t[0]) * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void Transpose() => Check(t => Loss(Ops.Transpose(t[0])), Data.Floats(1, 5, 4));
        [Fact] public void Sum() => Check(t => Loss(Ops.Transpose(Ops.Transpose(t[1]) + Ops.Sum(t[0]))), Data.Floats(1, 4, 3), Data.Floats(2, 4, 5));
        [Fact] public void Max() => Check(t => Loss(Ops.Transpose(Ops.Transpose(t[1]) + Ops.Max(t[0]))), Data.Floats(1, 4, 3), Data.Floats(2, 4, 5));
        [Fact] public void Reshape() => Check(t => Loss(Ops.Reshape(t[0], 4, -1)), Data.Floats(1, 2, 2, 5));
        [Fact] public void Slice() => Check(t => Loss(Ops.Slice(t[0], 1, 2, 5)), Data.Floats(1, 4, 9));
        [Fact] public void Concat() => Check(t => Loss(Ops.Concat(t[0], t[1], 1)), Data.Floats(1, 4, 2), Data.Floats(2, 4, 3));
        [Fact] public void Concat_rows() => Check(t => Ops.SoftmaxCrossEntropy(Ops.Concat(t[0], t[1], 0), Data.Labels(5, 4, 3)), Data.Floats(1, 1, 3), Data.Floats(2, 3, 3));
        [Fact] public void Mean() => Check(t => Loss(Ops.Transpose(Ops.Transpose(t[1]) + Ops.Mean(t[0]))), Data.Floats(1, 4, 3), Data.Floats(2, 4, 5));

        /// <summary>The row ops on four devices with SBPs the planner chose: plan gradients equal eager ones.</summary>
        [Fact]
        public void Row_ops_plan_gradients_equal_eager_gradients()
        {
            const float lr = 0.5f;
            var x = Data.Floats(21, 8, 6);
            var y = Data.Labels(22, 8, 5);
            var eager = new RowOpsNet(seed: 3);
            Ops.SoftmaxCrossEntropy(eager.Forward(x), y).Backward();
            var planned = new RowOpsNet(seed: 3);
            var before = planned.Parameters.Select(p => p.ToArray()).ToArray();
            using (var trainer = planned.Trainer(new Sgd(lr))) trainer.Step(x, y);
            for (int p = 0; p < before.Length; p++)
            {
                var after = planned.Parameters[p].ToArray();
                var expected = eager.Parameters[p].Grad!.ToArray();
                for (int i = 0; i < after.Length; i++)
                    Assert.True(Math.Abs((before[p][i] - after[i]) / lr - expected[i]) <= 1e-4 + 1e-3 * Math.Abs(expected[i]),
                        $"parameter {p} element {i}: plan {(before[p][i] - after[i]) / lr}, eager {expected[i]}");
            }
        }

        [Fact]
        public void Row_ops_on_four_devices_train_like_one()
        {
            var one = new RowOpsNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            var four = new RowOpsNet(seed: 4).Trainer(new Sgd(0.3f));
            for (int s = 0; s < 10; s++)
            {
                var x = Data.Floats(30 + s, 8, 6);
                var y = Data.Labels(40 + s, 8, 5);
                float a = one.Step(x, y), b = four.Step(x, y);
                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"step {s}: {a} vs {b}");
            }
            one.Dispose();
            four.Dispose();
        }

        /// <summary>Slice, Concat and Reshape on four devices: plan gradients equal eager ones, and four devices
        /// train like one.</summary>
        [Fact]
        public void Shape_ops_plan_gradients_equal_eager_gradients()
        {
            const float lr = 0.5f;
            var x = Data.Floats(71, 8, 12);
            var y = Data.Labels(72, 8, 5);
            var eager = new ShapeNet(seed: 3);
            Ops.SoftmaxCrossEntropy(eager.Forward(x), y).Backward();
            var planned = new ShapeNet(seed: 3);
            var before = planned.Parameters.Select(p => p.ToArray()).ToArray();
            using (var trainer = planned.Trainer(new Sgd(lr))) trainer.Step(x, y);
            for (int p = 0; p < before.Length; p++)
            {
                var after = planned.Parameters[p].ToArray();
                var expected = eager.Parameters[p].Grad!.ToArray();
                for (int i = 0; i < after.Length; i++)
                    Assert.True(Math.Abs((before[p][i] - after[i]) / lr - expected[i]) <= 1e-4 + 1e-3 * Math.Abs(expected[i]),
                        $"parameter {p} element {i}: plan {(before[p][i] - after[i]) / lr}, eager {expected[i]}");
            }
            using var one = new ShapeNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            using var four = new ShapeNet(seed: 4).Trainer(new Sgd(0.3f));
            for (int s = 0; s < 5; s++)
            {
                var xs = Data.Floats(80 + s, 8, 12);
                var ys = Data.Labels(90 + s, 8, 5);
                float a = one.Step(xs, ys), b = four.Step(xs, ys);
                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"step {s}: {a} vs {b}");
            }
        }

        /// <summary>One plan step moves each weight by −lr·grad: recover the plan's gradient and compare it with
        /// eager autograd, for a network using every op on three devices with uneven splits.</summary>
        [Fact]
        public void Plan_gradients_equal_eager_gradients()
        {
            const float lr = 0.5f;
            var x = Data.Floats(11, 10, 6);
            var y = Data.Labels(12, 10, 5);
            var eager = new AllOps(seed: 3);
            Ops.SoftmaxCrossEntropy(eager.Forward(x), y).Backward();

            var planned = new AllOps(seed: 3);
            var before = planned.Parameters.Select(p => p.ToArray()).ToArray();
            using (var trainer = planned.Trainer(new Sgd(lr)))
            {
                Assert.Equal(3, trainer.Plan.Devices);
                trainer.Step(x, y);
            }
            for (int p = 0; p < before.Length; p++)
            {
                var after = planned.Parameters[p].ToArray();
                var expected = eager.Parameters[p].Grad!.ToArray();
                for (int i = 0; i < after.Length; i++)
                {
                    float g = (before[p][i] - after[i]) / lr;
                    Assert.True(Math.Abs(g - expected[i]) <= 1e-5 + 1e-3 * Math.Abs(expected[i]), $"parameter {p} element {i}: plan {g}, eager {expected[i]}");
                }
            }
        }
    }
}
