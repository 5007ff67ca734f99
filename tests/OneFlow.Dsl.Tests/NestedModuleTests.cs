using System;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Checkpoints;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The innermost module: weights and batch norm's running statistics as buffers.</summary>
    [Module]
    public partial class NestedInner
    {
        [Weight(4, 4)] Tensor w;
        [Weight(4, Fill = 1)] Tensor gain;
        [Weight(4)] Tensor shift;
        [Buffer(4)] Tensor mean;
        [Buffer(4, Fill = 1)] Tensor variance;

        public Tensor Forward(Tensor x) => Relu(BatchNorm2d(MatMul(x, w), gain, shift, mean, variance));
    }

    /// <summary>A module holding a module and a [Repeat] array of them, all fields private.</summary>
    [Module]
    public partial class NestedMiddle
    {
        NestedInner first;
        [Repeat(2)] NestedInner[] pair;
        [Weight(4)] Tensor bias;

        public Tensor Forward(Tensor x)
        {
            x = first.Forward(x);
            foreach (var inner in pair) x = inner.Forward(x);
            return x + bias;
        }
    }

    [Module]
    public partial class NestedOuter
    {
        NestedMiddle middle;
        [Weight(4, 4)] Tensor mix;

        public Tensor Forward(Tensor x) => x + MatMul(middle.Forward(x), mix);
    }

    /// <summary>Modules three deep under a [Repeat] array, data parallel on two devices (batch norm's statistics over
    /// the whole batch).</summary>
    [Network(Batch = 6)]
    [Placement("cpu:0-1")]
    public partial class NestedNet
    {
        [Repeat(2)] NestedOuter[] outers;
        [Weight(4, 3)] Tensor head;

        public Tensor Forward([Input(4)] Tensor x)
        {
            foreach (var outer in outers) x = outer.Forward(x);
            return MatMul(x, head);
        }
    }

    /// <summary>Modules holding modules: created at their paths, named by them in plans and files, and trained and
    /// evaluated as their eager Forward computes.</summary>
    public class NestedModuleTests
    {
        private static readonly string[] InnerPaths = { "middle.first", "middle.pair.0", "middle.pair.1" };

        private static string[] Expected(params string[] leaves)
            => Enumerable.Range(0, 2).SelectMany(o => InnerPaths.SelectMany(inner => leaves.Select(leaf => $"outers.{o}.{inner}.{leaf}"))).ToArray();

        [Fact]
        public void Weights_and_buffers_three_modules_deep_are_named_by_their_paths()
        {
            var model = new NestedNet(seed: 1);
            var weights = Expected("w", "gain", "shift")
                .Concat(Enumerable.Range(0, 2).SelectMany(o => new[] { $"outers.{o}.middle.bias", $"outers.{o}.mix" }))
                .Append("head");
            Assert.Equal(weights.OrderBy(n => n, StringComparer.Ordinal), model.NamedParameters.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(Expected("mean", "variance").OrderBy(n => n, StringComparer.Ordinal), model.Buffers.Select(b => b.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(NestedNet.Spec.Weights.Select(w => w.Name).OrderBy(n => n, StringComparer.Ordinal),
                model.NamedParameters.Concat(model.Buffers).Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
            // Each weight is drawn from its own path: the same field in two places holds different values.
            var named = model.NamedParameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
            Assert.NotEqual(named["outers.0.middle.pair.1.w"], named["outers.1.middle.pair.1.w"]);
            Assert.NotEqual(named["outers.0.middle.first.w"], named["outers.0.middle.pair.0.w"]);
            Assert.All(named["outers.1.middle.pair.0.gain"], v => Assert.Equal(1f, v));
            Assert.All(model.Buffers.Single(b => b.Name == "outers.1.middle.first.variance").Value.ToArray(), v => Assert.Equal(1f, v));
        }

        [Fact]
        public void A_safetensors_file_names_them_by_path_and_loads_back()
        {
            string path = Path.Combine(Path.GetTempPath(), $"nested-{Guid.NewGuid():N}.safetensors");
            try
            {
                var model = new NestedNet(seed: 2);
                using (var trainer = model.Trainer(new Sgd(0.1f))) trainer.Step(Data.Floats(3, 6, 4), Data.Labels(4, 6, 3));
                model.SaveWeights(path);
                var file = SafeTensors.Read(path).ToDictionary(t => t.Name, t => t.Values);
                Assert.Equal(model.NamedParameters.Count + model.Buffers.Count, file.Count);
                Assert.Equal(model.Buffers.Single(b => b.Name == "outers.1.middle.pair.1.mean").Value.ToArray(), file["outers.1.middle.pair.1.mean"]);
                Assert.Equal(model.NamedParameters.Single(p => p.Name == "outers.0.middle.first.w").Value.ToArray(), file["outers.0.middle.first.w"]);
                var other = new NestedNet(seed: 9);
                other.LoadWeights(path);
                var x = Data.Floats(5, 6, 4);
                Assert.Equal(model.Infer(x).ToArray(), other.Infer(x).ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void The_plan_trains_and_infers_as_eager_forward_computes()
        {
            var (x, y) = (Data.Floats(6, 6, 4), Data.Labels(7, 6, 3));
            NestedNet eager = new(seed: 3), planned = new(seed: 3);
            Agreement.PlanGradientsEqualEager(eager.Parameters, () => SoftmaxCrossEntropy(eager.Forward(x), y),
                planned.Parameters, sgd => { using var t = planned.Trainer(sgd); t.Step(x, y); });
            // Both updated the running statistics of all twelve batch norms from the same batch.
            foreach (var ((name, e), (_, p)) in eager.Buffers.Zip(planned.Buffers))
                Assert.True(e.ToArray().Zip(p.ToArray()).All(v => Math.Abs(v.First - v.Second) <= 1e-5), name);
            planned.Eval();
            try
            {
                var expected = planned.Forward(x).ToArray();
                var inferred = planned.Infer(x).ToArray();
                for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - inferred[i]) <= 1e-5, $"logit {i}: eager {expected[i]}, plan {inferred[i]}");
            }
            finally
            {
                planned.Train();
            }
        }
    }
}
