using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Gradients of ops composed with a loss against central finite differences (each op alone is checked by
    /// <see cref="OpGradientTests"/>), and the compiled plan's gradients against the eager ones.</summary>
    public class GradientTests
    {
        private static readonly Tensor Labels = Data.Labels(3, 4, 5);

        private static void Check(Func<Tensor[], Tensor> f, params Tensor[] leaves) => FiniteDifferences.Check(() => f(leaves), leaves);

        private static Tensor Loss(Tensor logits) => Ops.SoftmaxCrossEntropy(logits, Labels);

        [Fact] public void MatMul() => Check(t => Loss(Ops.MatMul(t[0], t[1])), Data.Floats(1, 4, 3), Data.Floats(2, 3, 5));
        [Fact] public void Add_with_bias() => Check(t => Loss(t[0] + t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Add_bias_on_the_left() => Check(t => Loss(t[1] + t[0]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Sub() => Check(t => Loss(t[0] - t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void Sub_bias() => Check(t => Loss(t[0] - t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Mul() => Check(t => Loss(t[0] * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 5));
        [Fact] public void Mul_bias() => Check(t => Loss(t[0] * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 5));
        [Fact] public void Mul_column() => Check(t => Loss(t[0] * t[1]), Data.Floats(1, 4, 5), Data.Floats(2, 4, 1));
        [Fact] public void Add_middle_axis_broadcast() => Check(t => Loss(Ops.Reshape(t[0] + t[1], 4, 5)), Data.Floats(1, 2, 2, 5), Data.Floats(2, 2, 1, 5));
        [Fact] public void Mul_by_one_value_per_matrix() => Check(t => Loss(Ops.Reshape(t[0] * t[1], 4, 5)), Data.Floats(1, 2, 2, 5), Data.Floats(2, 2, 1, 1));
        [Fact] public void Sub_both_operands_broadcast() => Check(t => Loss(t[0] - t[1]), Data.Floats(1, 4, 1), Data.Floats(2, 5));
        [Fact] public void Add_matrix_over_a_batch() => Check(t => Loss(Ops.Reshape(t[1] + t[0], 4, 5)), Data.Floats(1, 2, 2, 5), Data.Floats(2, 2, 5));

        [Fact] public void Batched_MatMul() => Check(t => Loss(Ops.Reshape(Ops.MatMul(t[0], t[1]), 4, 5)), Data.Floats(1, 2, 2, 3), Data.Floats(2, 2, 3, 5));
        [Fact] public void Batched_Transpose() => Check(t => Loss(Ops.Reshape(Ops.Transpose(t[0]), 4, 5)), Data.Floats(1, 2, 5, 2));
        [Fact] public void CausalSoftmax() => Check(t => Loss(Ops.Reshape(Ops.CausalSoftmax(t[0]) * t[1], 4, 5)), Data.Floats(1, 5, 2, 2), Data.Floats(2, 5, 2, 2));

        [Fact] public void Permute() => Check(t => Loss(Ops.Reshape(Ops.Permute(t[0], 2, 0, 1, 3), 4, 5)), Data.Floats(1, 2, 1, 2, 5));

        /// <summary>Two attention heads split off and joined by Permute, on four devices: plan gradients equal eager
        /// ones, and four devices train like one.</summary>
        [Fact]
        public void Multi_head_attention_plan_gradients_equal_eager_and_four_devices_train_like_one()
        {
            var x = Data.Floats(61, 8, 4, 6);
            var y = Data.Labels(62, 8, 5);
            MultiHeadNet eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
            using var one = new MultiHeadNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            using var four = new MultiHeadNet(seed: 4).Trainer(new Sgd(0.3f));
            Agreement.SameLosses(8, s =>
            {
                var (xs, ys) = (Data.Floats(70 + s, 8, 4, 6), Data.Labels(71 + s, 8, 5));
                return (one.Step(xs, ys), four.Step(xs, ys));
            });
        }

        [Fact]
        public void Causal_softmax_attends_only_to_earlier_positions()
        {
            var y = Ops.CausalSoftmax(Data.Floats(3, 2, 3, 3)).ToArray();
            for (int b = 0; b < 2; b++)
                for (int i = 0; i < 3; i++)
                {
                    var row = y.AsSpan((b * 3 + i) * 3, 3);
                    for (int j = i + 1; j < 3; j++) Assert.Equal(0f, row[j]);
                    Assert.Equal(1f, row[..(i + 1)].ToArray().Sum(), 5);
                }
        }

        /// <summary>Causal self-attention on four devices: plan gradients equal eager ones, and four devices train like one.</summary>
        [Fact]
        public void Attention_plan_gradients_equal_eager_and_four_devices_train_like_one()
        {
            var x = Data.Floats(31, 8, 4, 6);
            var y = Data.Labels(32, 8, 5);
            AttentionNet eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
            using var one = new AttentionNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            using var four = new AttentionNet(seed: 4).Trainer(new Sgd(0.3f));
            Agreement.SameLosses(8, s =>
            {
                var (xs, ys) = (Data.Floats(40 + s, 8, 4, 6), Data.Labels(50 + s, 8, 5));
                return (one.Step(xs, ys), four.Step(xs, ys));
            });
        }

        [Fact] public void Scale() => Check(t => Loss(Ops.Scale(t[0], -1.5)), Data.Floats(1, 4, 5));
        [Fact] public void Cross_entropy_over_every_token_of_a_sequence()
            => Check(t => Ops.SoftmaxCrossEntropy(Ops.Reshape(t[0], 2, 2, 5), Tensor.From(new[] { 4, 0, 2, 3 }, 2, 2)), Data.Floats(1, 4, 5));
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
            var x = Data.Floats(21, 8, 6);
            var y = Data.Labels(22, 8, 5);
            RowOpsNet eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
        }

        [Fact]
        public void Row_ops_on_four_devices_train_like_one()
        {
            using var one = new RowOpsNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            using var four = new RowOpsNet(seed: 4).Trainer(new Sgd(0.3f));
            Agreement.SameLosses(10, s =>
            {
                var (x, y) = (Data.Floats(30 + s, 8, 6), Data.Labels(40 + s, 8, 5));
                return (one.Step(x, y), four.Step(x, y));
            });
        }

        /// <summary>NumPy broadcasting over a batch of matrices on four devices: plan gradients equal eager ones, and
        /// four devices train like one.</summary>
        [Fact]
        public void Broadcasting_plan_gradients_equal_eager_gradients()
        {
            var x = Data.Floats(51, 8, 12);
            var y = Data.Labels(52, 8, 5);
            BroadcastNet eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
            using var one = new BroadcastNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            using var four = new BroadcastNet(seed: 4).Trainer(new Sgd(0.3f));
            Assert.Contains(four.Plan.Ops, o => o.Kind == Planner.Ops.OpKind.SumTo);
            Agreement.SameLosses(10, s =>
            {
                var (xs, ys) = (Data.Floats(60 + s, 8, 12), Data.Labels(61 + s, 8, 5));
                return (one.Step(xs, ys), four.Step(xs, ys));
            });
        }

        /// <summary>Slice, Concat and Reshape on four devices: plan gradients equal eager ones, and four devices
        /// train like one.</summary>
        [Fact]
        public void Shape_ops_plan_gradients_equal_eager_gradients()
        {
            var x = Data.Floats(71, 8, 12);
            var y = Data.Labels(72, 8, 5);
            ShapeNet eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
            using var one = new ShapeNet(seed: 4).Trainer(new Sgd(0.3f), "cpu:0");
            using var four = new ShapeNet(seed: 4).Trainer(new Sgd(0.3f));
            Agreement.SameLosses(5, s =>
            {
                var (xs, ys) = (Data.Floats(80 + s, 8, 12), Data.Labels(90 + s, 8, 5));
                return (one.Step(xs, ys), four.Step(xs, ys));
            });
        }

        /// <summary>Flattening a split batch keeps it split (no boxing around the reshapes), and trains like one device.</summary>
        [Fact]
        public void Flattened_batch_stays_split_and_trains_like_one_device()
        {
            using var four = new FlatNet(seed: 6).Trainer(new Sgd(0.3f));
            Assert.DoesNotContain(four.Plan.Ops, o => o.Kind == Planner.Ops.OpKind.Boxing && four.Plan.Tensors[o.Inputs[0]].Role != Planner.Model.TensorRole.Gradient);
            using var one = new FlatNet(seed: 6).Trainer(new Sgd(0.3f), "cpu:0");
            Agreement.SameLosses(5, s =>
            {
                var (x, y) = (Data.Floats(110 + s, 8, 4, 6), Data.Labels(120 + s, 8, 5));
                return (one.Step(x, y), four.Step(x, y));
            });
        }

        /// <summary>A network using every basic op on three devices with uneven splits: plan gradients equal eager ones.</summary>
        [Fact]
        public void Plan_gradients_equal_eager_gradients()
        {
            var x = Data.Floats(11, 10, 6);
            var y = Data.Labels(12, 10, 5);
            AllOps eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => Ops.SoftmaxCrossEntropy(eager.Forward(x), y), planned.Parameters, sgd =>
            {
                using var t = planned.Trainer(sgd);
                Assert.Equal(3, t.Plan.Devices);
                t.Step(x, y);
            }, absolute: 1e-5);
        }
    }
}
