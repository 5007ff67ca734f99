using System;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Checkpoints;
using OneFlow.Dsl.Planner.Ops;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A click model's core: each sample's three categorical ids averaged from a table split by vocabulary over
    /// two devices, then a small head. Adam is compiled in: the table gets PyTorch's SparseAdam, the head Adam.</summary>
    [Network(Batch = 8, Optimizer = Optimizers.Adam)]
    [Placement("cpu:0-1")]
    public partial class ClickModel
    {
        [Weight(50, 8), Sbp("S(0)")] Tensor table;
        [Weight(8, 2)] Tensor head;

        public Tensor Forward([Input(3), Ids] Tensor ids) => MatMul(Relu(EmbeddingBag(ids, table, BagMode.Mean)), head);
    }

    /// <summary>The click model's core with Adagrad compiled into its plan.</summary>
    [Network(Batch = 8, Optimizer = Optimizers.Adagrad)]
    [Placement("cpu:0-1")]
    public partial class AdagradClicks
    {
        [Weight(50, 8), Sbp("S(0)")] Tensor table;
        [Weight(8, 2)] Tensor head;

        public Tensor Forward([Input(3), Ids] Tensor ids) => MatMul(Relu(EmbeddingBag(ids, table)), head);
    }

    /// <summary>Tables split by vocabulary are updated from the rows their lookups touched: no gradient the size of the
    /// table is planned, and training agrees with PyTorch's sparse embeddings and SparseAdam.</summary>
    public sealed class SparseEmbeddingTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"sparse-{Guid.NewGuid():N}");

        public SparseEmbeddingTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public void The_plan_updates_the_table_from_its_touched_rows_with_nothing_the_size_of_the_table()
        {
            var plan = ClickModel.TrainPlan;
            var table = plan.Tensors.Single(t => t.Name == "table");
            Assert.Contains(plan.Ops, o => o.Kind == OpKind.SparseAdamUpdate && o.Inputs[0] == table.Id);
            Assert.DoesNotContain(plan.Ops, o => o.Kind is OpKind.RowGatherGrad or OpKind.EmbeddingBagGrad or OpKind.AdamUpdate && o.Inputs[0] == table.Id);
            // Only the table and its two Adam states grow with the vocabulary: with 100 times the rows, every other
            // tensor of the plan keeps its shape.
            var larger = Planner.NetworkPlanner.Compile(ClickModel.Spec.WithWeight("table", 5000, 8), Planner.Model.PlanMode.Train);
            Assert.Equal(plan.Tensors.Select(t => t.Name), larger.Tensors.Select(t => t.Name));
            var grown = plan.Tensors.Where(t => !t.Shape.Equals(larger.Tensors[t.Id].Shape)).ToList();
            Assert.Equal(new[] { "table", "table.m", "table.v" }, grown.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(grown, t => Assert.Equal(table.Shape.Elements, plan.RegisterOf(t.Id, 0).LocalShape.Elements * 2));
        }

        [Fact]
        public void Adagrad_compiled_into_the_plan_updates_the_table_sparsely_and_the_head_densely()
        {
            using var trainer = new AdagradClicks(seed: 1).Trainer(new Adagrad(0.1f));
            Assert.True(trainer.Compiled);
            Assert.Contains("SparseAdagradUpdate(table, ", AdagradClicks.PlanReport);
            Assert.Contains("AdagradUpdate(head, dhead", AdagradClicks.PlanReport);
            float first = trainer.Step(Tensor.From(Enumerable.Range(0, 24).Select(i => i % 7).ToArray(), 8, 3), Tensor.From(Enumerable.Range(0, 8).Select(i => i % 2).ToArray(), 8));
            Assert.InRange(first, 0.5, 1.0);
        }

        [NeedsTorchFact]
        public void Five_steps_of_sparse_adam_on_two_devices_match_torch()
        {
            var model = new ClickModel(seed: 2);
            var random = new Random(4);
            var batches = Enumerable.Range(1, 5).Select(_ => (
                Ids: Enumerable.Range(0, 24).Select(_ => random.Next(random.Next(2) == 0 ? 6 : 50)).ToArray(),
                Labels: Enumerable.Range(0, 8).Select(_ => random.Next(2)).ToArray())).ToArray();
            var tensors = model.NamedParameters.Select(p => new NamedTensor(p.Name, p.Value.Shape.ToArray(), p.Value.ToArray())).ToList();
            for (int s = 0; s < 5; s++)
            {
                tensors.Add(new NamedTensor($"ids.{s + 1}", new[] { 8, 3 }, batches[s].Ids.Select(i => (float)i).ToArray()));
                tensors.Add(new NamedTensor($"labels.{s + 1}", new[] { 8 }, batches[s].Labels.Select(i => (float)i).ToArray()));
            }
            string inputs = Path.Combine(_dir, "inputs.safetensors"), output = Path.Combine(_dir, "out.safetensors");
            SafeTensors.Write(inputs, tensors);
            TorchPeer.Run("sparse_agreement.py", inputs, output);
            var theirs = SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);

            using var trainer = model.Trainer(new Adam(0.05f));
            Assert.True(trainer.Compiled);
            for (int s = 0; s < 5; s++)
            {
                float loss = trainer.Step(Tensor.From(batches[s].Ids, 8, 3), Tensor.From(batches[s].Labels, 8));
                TorchPeer.Close($"loss of step {s + 1}", new[] { loss }, theirs[$"loss.{s + 1}"]);
            }
            foreach (var (name, value) in model.NamedParameters) TorchPeer.Close(name, value.ToArray(), theirs[name]);
        }

        /// <summary>SGD and Adagrad change no row a batch did not touch, so their sparse updates give the dense ones.</summary>
        [Theory]
        [InlineData("sgd")]
        [InlineData("adagrad")]
        public void Sparse_updates_on_two_devices_train_as_the_dense_update_on_one(string rule)
        {
            Optimizer Make() => rule == "sgd" ? new Sgd(0.5f) : new Adagrad(0.3f);
            var kind = rule == "sgd" ? OpKind.SparseSgdUpdate : OpKind.SparseAdagradUpdate;
            var sparse = new ClickModel(seed: 5);
            var dense = new ClickModel(seed: 5);
            using var split = sparse.Trainer(Make(), ClickModel.Spec);
            // The same network with its table not declared split: a dense gradient and update, on one device.
            using var whole = dense.Trainer(Make(), ClickModel.Spec.WithPlacement("cpu:0") with
            {
                Weights = new(ClickModel.Spec.Weights.Select(w => w with { Sbp = null }).ToArray()),
            });
            Assert.Contains(split.Plan.Ops, o => o.Kind == kind);
            Assert.DoesNotContain(whole.Plan.Ops, o => o.Kind == kind);
            var random = new Random(6);
            for (int s = 0; s < 6; s++)
            {
                var ids = Tensor.From(Enumerable.Range(0, 24).Select(_ => random.Next(10)).ToArray(), 8, 3);
                var labels = Tensor.From(Enumerable.Range(0, 8).Select(_ => random.Next(2)).ToArray(), 8);
                float a = split.Step(ids, labels), b = whole.Step(ids, labels);
                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Abs(b), $"step {s}: sparse {a}, dense {b}");
            }
            TorchPeer.Close("table", sparse.NamedParameters[0].Value.ToArray(), dense.NamedParameters[0].Value.ToArray());
        }
    }
}
