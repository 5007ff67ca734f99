using System;
using System.Linq;
using OneFlow.Dsl.Planner.Ops;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A network class created for its spec with other sizes (an embedding table's rows chosen at run time): the
    /// weights take those sizes, and its trainers and inference are planned from that spec.</summary>
    public class RuntimeSizeTests
    {
        [Fact]
        public void A_table_sized_at_run_time_trains_and_infers_at_that_size()
        {
            var spec = ClickModel.Spec.WithWeight("table", 1000, 8);
            var model = new ClickModel(seed: 3, spec);
            var table = model.NamedParameters.Single(p => p.Name == "table").Value;
            Assert.Equal(new[] { 1000, 8 }, table.Shape);
            Assert.Equal(WeightInit.Create(3, "table", 1000, 8).ToArray(), table.ToArray());
            Assert.Same(spec, model.InstanceSpec);
            // Unchanged weights keep the values the seed gives the compiled network.
            Assert.Equal(new ClickModel(seed: 3).NamedParameters.Single(p => p.Name == "head").Value.ToArray(), model.NamedParameters.Single(p => p.Name == "head").Value.ToArray());

            using var trainer = model.Trainer(new Adam(0.05f));
            Assert.False(trainer.Compiled);
            Assert.Equal(new[] { 1000, 8 }, trainer.Plan.Tensors.Single(t => t.Name == "table").Shape.ToArray());
            Assert.Contains(trainer.Plan.Ops, o => o.Kind == OpKind.SparseAdamUpdate);
            var ids = Tensor.From(Enumerable.Range(0, 24).Select(i => 999 - i * 37).ToArray(), 8, 3);
            var labels = Tensor.From(Enumerable.Range(0, 8).Select(i => i % 2).ToArray(), 8);
            float first = trainer.Step(ids, labels);
            for (int i = 0; i < 20; i++) trainer.Step(ids, labels);
            Assert.True(trainer.Step(ids, labels) < first);
            Assert.Equal(new[] { 8, 2 }, model.Infer(ids).Shape);
        }

        [Fact]
        public void A_spec_of_another_network_is_refused()
        {
            var e = Assert.Throws<ArgumentException>(() => new ClickModel(seed: 1, AdagradClicks.Spec.WithWeight("table", 10, 8) with { Forward = Mlp.Spec.Forward }));
            Assert.Contains("is not ClickModel with other sizes", e.Message);
            var missing = Assert.Throws<ArgumentException>(() => ClickModel.Spec.WithWeight("tables", 10, 8));
            Assert.Contains("ClickModel has no weight 'tables'", missing.Message);
        }
    }
}
