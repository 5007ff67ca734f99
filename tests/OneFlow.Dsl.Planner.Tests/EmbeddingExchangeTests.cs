using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>Lookups into a table split by vocabulary are planned as an exchange: ids go to the owners of their rows
    /// and rows come back (all-to-alls of counted blocks), the rows' gradients go to the owners, and nothing batch-wide
    /// is gathered onto every device.</summary>
    public class EmbeddingExchangeTests
    {
        private static EquatableArray<T> Arr<T>(params T[] items) where T : IEquatable<T> => new EquatableArray<T>(items);

        private static NetworkSpec Clicks(string placement, UpdateRule update = UpdateRule.Adam)
            => new NetworkSpec("Clicks", 8, placement,
                Arr(new TensorDecl("table", DeclKind.Weight, Arr(40, 6), "S(0)"), new TensorDecl("head", DeclKind.Weight, Arr(6, 3), null)),
                Arr(new TensorDecl("ids", DeclKind.Ids, Arr(3), null)),
                Arr(new OpDecl("e", "EmbeddingBag", Arr("ids", "table")) { Args = new EquatableArray<double>(new double[] { 0 }) },
                    new OpDecl("h", "Relu", Arr("e")), new OpDecl("y", "MatMul", Arr("h", "head"))),
                "y", NetworkSpec.DefaultLoss("y"), "loss") { Update = update };

        private static string NameOf(Plan.Plan plan, int tensor) => plan.Tensors[tensor].Name;

        [Fact]
        public void Ids_go_to_the_owners_and_rows_and_their_gradients_cross_devices_in_all_to_alls_of_counted_blocks()
        {
            var plan = NetworkPlanner.Compile(Clicks("cpu:0-3"), PlanMode.Train);
            Assert.DoesNotContain(plan.Ops, o => o.Kind == OpKind.EmbeddingBag);
            var boxings = plan.Ops.Where(o => o.Kind == OpKind.Boxing).ToDictionary(o => NameOf(plan, o.Inputs[0]), o => (BoxingOp.Attributes(o).From.ToString(), BoxingOp.Attributes(o).To.ToString(), o.Collective));
            Assert.Equal(("S(0)", "S(1)", Collective.AllToAll), boxings["e.requests"]);
            Assert.Equal(("S(1)", "S(0)", Collective.AllToAll), boxings["e.replies"]);
            Assert.Equal(("S(0)", "S(1)", Collective.AllToAll), boxings["de.replies"]);
            // The head's gradient is all-reduced; nothing else crosses devices: neither the ids nor dy are gathered.
            Assert.Equal(new[] { "de.replies", "dhead", "e.replies", "e.requests" }, boxings.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.All(new[] { "e.requests", "e.replies", "de.replies" }, name => Assert.True(plan.Tensors.Single(t => t.Name == name).RaggedRow > 0));
            var update = plan.Ops.Single(o => o.Kind == OpKind.SparseAdamUpdate);
            Assert.Equal(new[] { "table", "e.requests@S(1)", "de.replies@S(1)", "table.m", "table.v" }, update.Inputs.Select(i => NameOf(plan, i)));
        }

        [Fact]
        public void Each_device_holds_blocks_for_its_share_of_the_batch()
        {
            var plan = NetworkPlanner.Compile(Clicks("cpu:0-3"), PlanMode.Train);
            // 8 samples of 3 ids over 4 devices: at most 6 distinct ids per device, so blocks of 1 + 6 ids and 7 rows of 6.
            Assert.Equal(new Shape(4, 4, 7), plan.Tensors.Single(t => t.Name == "e.requests").Shape);
            Assert.Equal(new Shape(4, 4, 42), plan.Tensors.Single(t => t.Name == "e.replies").Shape);
            var requests = plan.Tensors.Single(t => t.Name == "e.requests");
            Assert.Equal(new Shape(1, 4, 7), plan.RegisterOf(requests.Id, 0).LocalShape);
        }

        [Fact]
        public void Lookups_of_the_same_ids_in_tables_of_as_many_rows_send_one_set_of_requests()
        {
            var clicks = Clicks("cpu:0-3");
            var spec = clicks with
            {
                Weights = Arr(clicks.Weights[0], clicks.Weights[1], new TensorDecl("wide", DeclKind.Weight, Arr(40, 1), "S(0)"), new TensorDecl("narrow", DeclKind.Weight, Arr(30, 1), "S(0)")),
                Forward = Arr(clicks.Forward.Concat(new[]
                {
                    new OpDecl("w", "EmbeddingBag", Arr("ids", "wide")) { Args = new EquatableArray<double>(new double[] { 0 }) },
                    new OpDecl("n", "EmbeddingBag", Arr("ids", "narrow")) { Args = new EquatableArray<double>(new double[] { 0 }) },
                    new OpDecl("wy", "Add", Arr("y", "w")), new OpDecl("z", "Add", Arr("wy", "n")),
                }).ToArray()),
                ForwardOutput = "z",
                Loss = NetworkSpec.DefaultLoss("z"),
            };
            var plan = NetworkPlanner.Compile(spec, PlanMode.Train);
            // table and wide (40 rows) share one request; narrow (30 rows) is split differently and asks for itself.
            Assert.Equal(2, plan.Ops.Count(o => o.Kind == OpKind.IdRequests));
            Assert.Equal(3, plan.Ops.Count(o => o.Kind == OpKind.RowGather));
            var updates = plan.Ops.Where(o => o.Kind == OpKind.SparseAdamUpdate).ToDictionary(o => NameOf(plan, o.Inputs[0]), o => o.Inputs[1]);
            Assert.Equal(updates["table"], updates["wide"]);
            Assert.NotEqual(updates["table"], updates["narrow"]);
        }

        [Fact]
        public void Inference_exchanges_too_and_without_gradients()
        {
            var plan = NetworkPlanner.Compile(Clicks("cpu:0-1"), PlanMode.Infer);
            Assert.Contains(plan.Ops, o => o.Kind == OpKind.RowGather);
            Assert.DoesNotContain(plan.Ops, o => o.Kind == OpKind.EmbeddingCombineGrad);
        }

        [Theory]
        [InlineData("cuda:0-1")]
        [InlineData("2x2:cpu")]
        [InlineData("cpu:0")]
        public void Tables_on_gpus_meshes_or_one_device_keep_the_lookup_whole(string placement)
        {
            var spec = Clicks(placement);
            if (placement.StartsWith("2x2")) spec = spec with { Weights = Arr(spec.Weights[0] with { Sbp = "S(0),B" }, spec.Weights[1]) };
            var plan = NetworkPlanner.Compile(spec, PlanMode.Train);
            Assert.Contains(plan.Ops, o => o.Kind == OpKind.EmbeddingBag);
            Assert.DoesNotContain(plan.Ops, o => o.Kind == OpKind.RowGather);
        }

        [Fact]
        public void Without_a_sparse_update_the_owners_add_the_rows_into_a_dense_gradient()
        {
            var plan = NetworkPlanner.Compile(Clicks("cpu:0-1", UpdateRule.Momentum), PlanMode.Train);
            var gradient = plan.Ops.Single(o => o.Kind == OpKind.RowGatherGrad);
            Assert.Equal("table", NameOf(plan, gradient.Inputs[2]));
            Assert.Contains(plan.Ops, o => o.Kind == OpKind.MomentumUpdate && NameOf(plan, o.Inputs[0]) == "table");
        }
    }
}
