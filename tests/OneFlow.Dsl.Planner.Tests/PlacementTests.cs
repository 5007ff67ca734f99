using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Testing;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>Networks spanning several placements: ops run where their weights live, activations and their
    /// gradients cross between placements as transfers, and every device of both sides takes part.</summary>
    public class PlacementTests
    {
        private static PlanTensor T(Plan.Plan p, string name) => p.Tensors.First(t => t.Name == name);

        /// <summary>The MLP as two pipeline stages: the first layer on cpu:0-1, the second on the given placement.</summary>
        private static NetworkSpec Stages(string second, string? w2 = "S(1)", string? x = "S(0)")
            => new NetworkSpec("Stages", 64, "cpu:0-1",
                Arr(W("w1", null, 784, 512), W("b1", null, 512), W("w2", w2, 512, 10).On(second), W("b2", null, 10).On(second)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(784), x)),
                Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"),
                    Op("t2", "MatMul", "h", "w2"), Op("t3", "Add", "t2", "b2")),
                "t3", NetworkSpec.DefaultLoss("t3"), "loss");

        private static PlanOp[] Transfers(Plan.Plan p) => p.Ops.Where(o => o.Collective == Collective.Transfer).ToArray();

        [Fact]
        public void Ops_run_where_their_weights_live_and_inputs_follow_their_consumers()
        {
            var p = NetworkPlanner.Compile(Stages("cpu:2-4"), PlanMode.Train);
            Placement first = Placement.Parse("cpu:0-1"), second = Placement.Parse("cpu:2-4");
            Assert.Equal(5, p.Devices);
            Assert.Equal(first, T(p, "x").Placement);
            Assert.Equal(first, T(p, "h").Placement);
            Assert.Equal(second, T(p, "t3").Placement);
            Assert.Equal(second, T(p, "labels").Placement);
            Assert.Equal(second, T(p, "loss").Placement);
            // Gradients are computed where their forward ops ran; each update runs where its weight lives.
            Assert.Equal(second, T(p, "dh").Placement);
            Assert.Equal(first, T(p, "dw1").Placement);
            foreach (var update in p.Ops.Where(o => o.Kind == OpKind.SgdUpdate))
                Assert.Equal(p.Tensors[update.Inputs[0]].Placement, update.Placement);
        }

        /// <summary>The example: h, S(0) on cpu:0-1, is read S(1) on cpu:2-4. One transfer forward (h) and
        /// one backward (its gradient), and nothing else crosses.</summary>
        [Fact]
        public void A_split_activation_crosses_to_a_differently_split_stage_once_each_way()
        {
            var p = NetworkPlanner.Compile(Stages("cpu:2-4", w2: "S(1)"), PlanMode.Train);
            var transfers = Transfers(p);
            Assert.Equal(new[] { "h", "dh" }, transfers.Select(o => p.Tensors[o.Inputs[0]].Name));
            var forward = transfers[0];
            Assert.Equal((NdSbp)Sbp.S(0), BoxingOp.Attributes(forward).From);
            Assert.Equal(Placement.Parse("cpu:0-1"), forward.Source);
            Assert.Equal(Placement.Parse("cpu:2-4"), forward.Placement);
            Assert.Equal(T(p, "h").Sbp, BoxingOp.Attributes(forward).From);
            // Sources hand in their parts and receive nothing; destinations receive theirs.
            var actors = p.ActorsOf(forward.Id);
            Assert.Equal(new[] { 0, 1, 2, 3, 4 }, actors.Select(a => a.Device));
            Assert.All(actors.Take(2), a => { Assert.Single(a.Inputs); Assert.Equal(-1, a.Output); });
            Assert.All(actors.Skip(2), a => { Assert.Empty(a.Inputs); Assert.True(a.Output >= 0); });
            Assert.True(forward.IsRendezvous);
        }

        [Fact]
        public void Report_prices_a_transfer_as_the_bytes_its_destinations_receive()
        {
            var p = NetworkPlanner.Compile(Stages("cpu:2-4", w2: "S(1)"), PlanMode.Infer);
            var transfer = Transfers(p).Single();
            long h = 64 * 512 * 4;
            int copies = Collectives.Copies(BoxingOp.Attributes(transfer).To, transfer.Placement);
            Assert.Equal((double)h * copies, Collectives.TotalBytes(BoxingOp.Attributes(transfer).From, transfer.Source, BoxingOp.Attributes(transfer).To, transfer.Placement, h));
            string report = PlanReport.Write(p);
            Assert.Contains("plan on cpu:0-1 + cpu:2-4 (5 devices)", report);
            Assert.Contains($"transfer h [64,512]: {BoxingOp.Attributes(transfer).From} on cpu:0-1 -> {BoxingOp.Attributes(transfer).To} on cpu:2-4", report);
            Assert.Contains($"{h * copies:N0} bytes per step ({h * copies / 5:N0} per device)", report);
        }

        /// <summary>A weight is never moved: an op reading weights on two placements has nowhere to run.</summary>
        [Fact]
        public void An_op_reading_weights_on_two_placements_is_an_error_naming_both()
        {
            var spec = Stages("cpu:2-3");
            spec = spec with
            {
                Weights = Arr(spec.Weights.Concat(new[] { W("c", null, 10) }).ToArray()),
                Forward = Arr(spec.Forward.Concat(new[] { Op("s", "Add", "b2", "c") }).ToArray()),
            };
            var e = Assert.Throws<PlanException>(() => NetworkPlanner.Compile(spec, PlanMode.Train));
            Assert.Equal(PlanErrorKind.PlacementConflict, e.Kind);
            Assert.Equal("s", e.Subject);
            Assert.Contains("b2 on cpu:2-3 and c on cpu:0-1", e.Message);
        }

        [Theory]
        [InlineData("cpu:x", "w2:placement", PlanErrorKind.PlacementSyntax)]
        [InlineData("cuda:2-3", "t2", PlanErrorKind.PlacementConflict)]
        public void Bad_placement_on_a_weight(string placement, string subject, PlanErrorKind kind)
        {
            var e = Assert.Throws<PlanException>(() => NetworkPlanner.Compile(Stages(placement), PlanMode.Train));
            Assert.Equal(kind, e.Kind);
            Assert.Equal(subject, e.Subject);
        }

        [Fact]
        public void A_mesh_stage_and_a_list_stage_share_one_plan()
        {
            var spec = Stages("cpu:4-5", w2: "S(0)") with
            {
                Placement = "2x2:cpu",
                Weights = Arr(W("w1", "S(1),B", 784, 512), W("b1", null, 512), W("w2", "S(0)", 512, 10).On("cpu:4-5"), W("b2", null, 10).On("cpu:4-5")),
                Inputs = Arr(new TensorDecl("x", DeclKind.Input, Arr(784), null)),
            };
            var p = NetworkPlanner.Compile(spec, PlanMode.Train);
            Assert.Equal(6, p.Devices);
            Assert.Equal(2, T(p, "h").Sbp.Rank);
            Assert.Equal(1, T(p, "t3").Sbp.Rank);
            Assert.Contains(Transfers(p), o => p.Tensors[o.Inputs[0]].Name == "h");
        }

        [Fact]
        public void Devices_shared_by_two_placements_are_one_device()
        {
            var p = NetworkPlanner.Compile(Stages("cpu:1-2"), PlanMode.Train);
            Assert.Equal(new[] { 0, 1, 2 }, p.DeviceMap.Ids);
            Assert.Equal(3, p.ArenaBytes.Count);
            Assert.Contains(p.Registers, r => r.Device == 1 && p.Tensors[r.Tensor].Name == "w1");
            Assert.Contains(p.Registers, r => r.Device == 1 && p.Tensors[r.Tensor].Name == "w2");
        }

        [Theory]
        [InlineData("cpu:2-4")]
        [InlineData("cpu:1-2")]
        [InlineData("cpu:2")]
        public void Text_round_trips_and_no_execution_order_overwrites_a_live_register(string second)
        {
            var p = NetworkPlanner.Compile(Stages(second, w2: second == "cpu:2" ? null : "S(1)"), PlanMode.Train);
            string text = PlanText.Write(p);
            Assert.Equal(text, PlanText.Write(PlanText.Read(text)));
            Assert.Equal(text, PlanText.Write(NetworkPlanner.Compile(Stages(second, w2: second == "cpu:2" ? null : "S(1)"), PlanMode.Train)));
            for (int seed = 0; seed < 20; seed++) MemoryReplay.Run(p, new Random(seed));
        }

        /// <summary>A reshard plan moves one tensor through a chain of layouts: one boxing op per change.</summary>
        [Fact]
        public void Reshard_plans_one_boxing_op_per_change_of_layout()
        {
            var a = Placement.Parse("cpu:0-1");
            var b = Placement.Parse("cpu:2-4");
            var p = NetworkPlanner.Reshard(new Shape(10, 6), (Sbp.S(0), a), (Sbp.P, a), (Sbp.P, a), (Sbp.S(1), b));
            Assert.Equal(new[] { Collective.PartialFromSplit, Collective.Transfer }, p.Ops.Where(o => o.Kind == OpKind.Boxing).Select(o => o.Collective));
            Assert.Equal(5, p.Devices);
        }

        [Theory]
        [InlineData("S(0),B", "cpu:0-3", "one per axis")]
        [InlineData("S(2)", "cpu:0-3", "cannot be split")]
        [InlineData("S(1)", "cpu:0-7", "cannot be split")]
        public void Reshard_rejects_a_layout_that_does_not_fit_its_placement(string sbp, string placement, string message)
        {
            var e = Assert.Throws<ArgumentException>(() => NetworkPlanner.Reshard(new Shape(10, 6), (Sbp.B, Placement.Parse("cpu:0")), (NdSbp.Parse(sbp), Placement.Parse(placement))));
            Assert.Contains(message, e.Message);
        }
    }
}
