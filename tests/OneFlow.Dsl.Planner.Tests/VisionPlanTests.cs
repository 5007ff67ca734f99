using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The vision ops in the planner: a convolution's three ways to split, batch norm's statistics reduced
    /// like any partial sum when the batch is split, the composite ops' parts, and the convolutions' workspaces in the
    /// memory plan.</summary>
    public class VisionPlanTests
    {
        private static string[] Signatures(OpKind kind, double[] args, params Shape[] shapes)
            => Signatures(kind, OpRegistry.Get(kind).FromCall("y", args), shapes);

        private static string[] Signatures(OpKind kind, OpAttributes? attributes, params Shape[] shapes)
        {
            var graph = new LogicalGraph();
            var inputs = shapes.Select((s, i) => graph.AddTensor("t" + i, s, DType.F32, TensorRole.Input).Id).ToArray();
            var op = graph.AddOp(kind, inputs, "y", TensorRole.Activation, "", Placement.Parse("cpu:0-1"), attributes);
            return OpRegistry.Get(kind).Signatures(new SignatureContext(graph, op, 0, 0)).Select(s => s.ToString()).ToArray();
        }

        [Fact]
        public void A_convolution_splits_by_samples_by_output_channels_and_by_input_channels_into_partial_sums()
        {
            var signatures = Signatures(OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, new Shape(8, 4, 6, 6), new Shape(16, 4, 3, 3));
            Assert.Contains("(S(0), B) -> S(0)", signatures);
            Assert.Contains("(B, S(0)) -> S(1)", signatures);
            Assert.Contains("(S(1), S(1)) -> P", signatures);
            var grouped = Signatures(OpKind.Conv2d, new double[] { 1, 1, 1, 2 }, new Shape(8, 4, 6, 6), new Shape(16, 2, 3, 3));
            Assert.DoesNotContain("(B, S(0)) -> S(1)", grouped);
        }

        /// <summary>A bias follows the output's channels: split with them, whole beside split samples, and a partial
        /// sum where the output is one (each device adds its part of b once).</summary>
        [Fact]
        public void A_convolutions_bias_is_split_with_the_output_channels_and_partial_beside_a_partial_output()
        {
            var signatures = Signatures(OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, new Shape(8, 4, 6, 6), new Shape(16, 4, 3, 3), new Shape(16));
            Assert.Contains("(S(0), B, B) -> S(0)", signatures);
            Assert.Contains("(B, S(0), S(0)) -> S(1)", signatures);
            Assert.Contains("(S(1), S(1), P) -> P", signatures);
            Assert.Contains("(B, B, B) -> B", signatures);
        }

        /// <summary>The transposed convolution splits as the input gradient it is: its input's channels (w's rows) into
        /// partial sums, w's columns into output channels.</summary>
        [Fact]
        public void A_transposed_convolution_splits_as_a_convolutions_input_gradient()
        {
            var signatures = Signatures(OpKind.ConvTranspose2d, new double[] { 2, 1, 1, 1, 1 }, new Shape(8, 4, 6, 6), new Shape(4, 16, 3, 3), new Shape(16));
            Assert.Contains("(S(0), B, B) -> S(0)", signatures);
            Assert.Contains("(S(1), S(0), P) -> P", signatures);
            Assert.Contains("(B, S(1), S(0)) -> S(1)", signatures);
        }

        [Fact]
        public void The_weight_gradient_of_split_samples_is_a_partial_sum()
            => Assert.Contains("(S(0), S(0)) -> P", Signatures(OpKind.Conv2dGradWeight, new ConvGradAttributes(new ConvAttributes(1, 1, 1), 3, 3), new Shape(8, 4, 6, 6), new Shape(8, 16, 6, 6)));

        [Fact]
        public void Per_channel_statistics_of_a_split_batch_are_partial_sums_and_of_split_channels_are_split()
            => Assert.Equal(new[] { "(S(0)) -> P", "(S(1)) -> S(0)", "(S(2)) -> P", "(S(3)) -> P", "(B) -> B", "(P) -> P" },
                Signatures(OpKind.ChannelMean, new double[0], new Shape(8, 4, 6, 6)));

        private static NetworkSpec Cnn(string placement, string? x = "S(0)", string? conv = null)
            => new NetworkSpec("Cnn", 8, placement,
                Arr(W("c", conv, 8, 3, 3, 3), W("g", null, 8), W("b", null, 8),
                    new TensorDecl("m", DeclKind.Buffer, Arr(8), null), new TensorDecl("v", DeclKind.Buffer, Arr(8), null), W("fc", null, 8 * 4 * 4, 5)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(3, 8, 8), x)),
                Arr(Op("h0", "Conv2d", "x", "c") with { Args = Arr(1.0, 1, 1, 1) },
                    Op("h1", "BatchNorm2d", "h0", "g", "b", "m", "v") with { Args = Arr(0.1, 1e-5) },
                    Op("h2", "MaxPool2d", "h1") with { Args = Arr(2.0, 2) }, Op("h3", "Flatten", "h2"), Op("y", "MatMul", "h3", "fc")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");

        [Fact]
        public void Data_parallel_batch_norm_all_reduces_its_partial_statistics_and_updates_whole_running_ones()
        {
            var plan = NetworkPlanner.Compile(Cnn("cpu:0-3"), PlanMode.Train);
            var mean = plan.Tensors.Single(t => t.Name == "h1.mean");
            var variance = plan.Tensors.Single(t => t.Name == "h1.var");
            Assert.Equal("P", mean.Sbp.ToString());
            Assert.Equal("P", variance.Sbp.ToString());
            Assert.Contains(plan.Ops, o => o.Kind == OpKind.Boxing && o.Inputs[0] == mean.Id && o.Collective == Collective.AllReduce);
            Assert.All(plan.Tensors.Where(t => t.Role == TensorRole.Buffer), t => Assert.Equal("B", t.Sbp.ToString()));
            var update = plan.Ops.Single(o => o.Kind == OpKind.RunningStatsUpdate);
            Assert.Equal(new[] { "m", "v" }, update.Inputs.Take(2).Select(i => plan.Tensors[i].Name));
            Assert.Equal(-1, update.Output);
        }

        [Fact]
        public void Output_channels_split_split_the_statistics_with_them()
        {
            var plan = NetworkPlanner.Compile(Cnn("cpu:0-1", x: "B", conv: "S(0)"), PlanMode.Train);
            Assert.Equal("S(1)", plan.Tensors.Single(t => t.Name == "h0").Sbp.ToString());
            Assert.Equal("S(0)", plan.Tensors.Single(t => t.Name == "h1.mean").Sbp.ToString());
        }

        [Fact]
        public void An_inference_plan_normalises_with_the_running_statistics_and_keeps_no_positions_for_gradients()
        {
            var plan = NetworkPlanner.Compile(Cnn("cpu:0-3"), PlanMode.Infer);
            var norm = plan.Ops.Single(o => o.Kind == OpKind.BatchNorm);
            Assert.Equal(new[] { "h0", "m", "v", "g", "b" }, norm.Inputs.Select(i => plan.Tensors[i].Name));
            Assert.DoesNotContain(plan.Ops, o => o.Kind is OpKind.ChannelMean or OpKind.ChannelVariance or OpKind.RunningStatsUpdate);
            Assert.Equal("y", plan.Tensors[plan.Output].Name);
        }

        [Fact]
        public void Buffers_persist_and_every_convolution_has_a_workspace_the_memory_plan_reuses()
        {
            var plan = NetworkPlanner.Compile(Cnn("cpu:0"), PlanMode.Train);
            Assert.All(plan.Registers.Where(r => r.Tensor >= 0 && plan.Tensors[r.Tensor].Role == TensorRole.Buffer), r => Assert.True(r.Persistent));
            var convolutions = plan.Actors.Where(a => plan.Ops[a.Op].Kind is OpKind.Conv2d or OpKind.Conv2dGradWeight).ToList();
            Assert.NotEmpty(convolutions);
            Assert.All(convolutions, a => Assert.True(a.Workspace >= 0));
            var workspaces = convolutions.Select(a => plan.Registers[a.Workspace]).ToList();
            Assert.All(workspaces, w => { Assert.Equal(-1, w.Tensor); Assert.False(w.Persistent); });
            // The forward convolution's scratch is dead before its weight gradient's is written: they share bytes.
            Assert.Equal(workspaces[0].Offset, workspaces[1].Offset);
            var text = Plan.PlanText.Write(plan);
            Assert.Equal(text, Plan.PlanText.Write(Plan.PlanText.Read(text)));
        }

        /// <summary>Batch norm over [N, C] (PyTorch's BatchNorm1d) with one sample has one value per channel: nothing
        /// to normalise by in training, the running statistics in evaluation.</summary>
        [Fact]
        public void A_batch_of_one_sample_cannot_train_batch_norm_over_features_and_says_so()
        {
            var spec = new NetworkSpec("Features", 1, "cpu:0",
                Arr(W("g", null, 3), W("b", null, 3), new TensorDecl("m", DeclKind.Buffer, Arr(3), null), new TensorDecl("v", DeclKind.Buffer, Arr(3), null)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(3), null)),
                Arr(Op("y", "BatchNorm2d", "x", "g", "b", "m", "v") with { Args = Arr(0.1, 1e-5) }),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            var e = Assert.Throws<PlanException>(() => NetworkPlanner.Compile(spec, PlanMode.Train));
            Assert.Equal("y", e.Subject);
            Assert.Contains("training needs more than one", e.Message);
            NetworkPlanner.Compile(spec, PlanMode.Infer);
        }
    }
}
