using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>Shapes, chosen SBPs and the boxing ops inserted, for known networks.</summary>
    public class PlannerTests
    {
        private static Plan.Plan Train(NetworkSpec spec) => NetworkPlanner.Compile(spec, PlanMode.Train);
        private static PlanTensor T(Plan.Plan p, string name) => p.Tensors.First(t => t.Name == name);
        private static PlanOp Producer(Plan.Plan p, string name) => p.Ops.First(o => o.Output == T(p, name).Id);

        private static (string Tensor, Collective Kind)[] Boxings(Plan.Plan p)
            => p.Ops.Where(o => o.Kind == OpKind.Boxing).Select(o => (p.Tensors[o.Inputs[0]].Name, o.Collective)).ToArray();

        [Fact]
        public void Shapes_are_inferred_through_forward_loss_and_backward()
        {
            var p = Train(Mlp());
            Assert.Equal(new Shape(64, 784), T(p, "x").Shape);
            Assert.Equal(new Shape(64, 512), T(p, "h").Shape);
            Assert.Equal(new Shape(64, 10), T(p, "t3").Shape);
            Assert.Equal(Shape.Scalar, T(p, "loss").Shape);
            Assert.Equal(new Shape(784, 512), T(p, "dw1").Shape);
            Assert.Equal(new Shape(512), T(p, "db1").Shape);
            Assert.Equal(DType.I32, T(p, "labels").DType);
        }

        [Fact]
        public void Design_example_gathers_x_before_the_first_MatMul()
        {
            var p = Train(Mlp());
            var first = Producer(p, "t0");
            Assert.Equal("x@B", p.Tensors[first.Inputs[0]].Name);
            Assert.Equal(Sbp.S(1), T(p, "t0").Sbp);
            Assert.Equal(Sbp.P, T(p, "t2").Sbp);                 // row-parallel product: partial sums
            Assert.Equal(Sbp.P, T(p, "loss").Sbp);               // each device adds its rows' losses
            Assert.Equal(Sbp.S(1), T(p, "dw1").Sbp);              // gradients land where their weights are
            Assert.Equal(Sbp.S(0), T(p, "dw2").Sbp);
            // db2 needs no all-reduce: its ReduceRows reads the dt3 (the sum of the loss parts' gradients, dt3.2) that dh's product already gathered.
            Assert.Equal(new[] { ("x", Collective.AllGather), ("t2", Collective.ReduceScatter), ("dt3.2", Collective.AllGather) }, Boxings(p));
        }

        [Fact]
        public void Backward_reuses_the_gathered_activations()
        {
            var p = Train(Mlp());
            var dw1 = Producer(p, "dw1");
            Assert.Equal("x@B", p.Tensors[dw1.Inputs[0]].Name);
            Assert.Single(p.Ops, o => o.Kind == OpKind.Boxing && p.Tensors[o.Inputs[0]].Name == "x");
        }

        /// <summary>At a large batch the gradient all-reduce is the cheapest way to keep replicated weights in sync.
        /// (At batch 64 the planner instead gathers x and computes dw1 by columns: fewer bytes than an all-reduce of
        /// the 784×512 gradient.)</summary>
        [Fact]
        public void Unannotated_weights_with_split_data_is_pure_data_parallelism()
        {
            var p = Train(Mlp(w1: null, b1: null, w2: null, b2: null, batch: 1024));
            Assert.Equal(new[] { ("dw2", Collective.AllReduce), ("db2", Collective.AllReduce), ("dw1", Collective.AllReduce), ("db1", Collective.AllReduce) }
                .OrderBy(b => b.Item1), Boxings(p).OrderBy(b => b.Tensor));
            Assert.All(p.Ops.Where(o => o.Kind == OpKind.SgdUpdate), u => Assert.Equal(Sbp.B, p.Tensors[u.Inputs[1]].Sbp));
        }

        [Fact]
        public void One_device_has_no_boxing_and_everything_broadcast()
        {
            var p = Train(Mlp(placement: "cpu:0"));
            Assert.Empty(Boxings(p));
            Assert.All(p.Tensors, t => Assert.Equal(Sbp.B, t.Sbp));
        }

        [Fact]
        public void Broadcast_to_split_is_a_local_slice()
        {
            var p = Train(Mlp(x: "B", w1: "B", b1: "S(0)", w2: null, b2: null));
            Assert.Contains(Boxings(p), b => b.Kind == Collective.Slice);
        }

        [Fact]
        public void Split_to_other_split_is_an_all_to_all()
        {
            var spec = new NetworkSpec("Mix", 8, "cpu:0-1", Arr(W("w", null, 8, 8)),
                Arr(new TensorDecl("a", DeclKind.Input, Arr(8), "S(0)"), new TensorDecl("b", DeclKind.Input, Arr(8), "S(1)")),
                Arr(Op("s", "Add", "a", "b"), Op("y", "MatMul", "s", "w")), "y", NetworkSpec.DefaultLoss("y"), "loss");
            var p = NetworkPlanner.Compile(spec, PlanMode.Train);
            Assert.Single(Boxings(p), b => b.Kind == Collective.AllToAll);
        }

        [Theory]
        [InlineData("S(0)", "B", Collective.AllGather)]
        [InlineData("P", "B", Collective.AllReduce)]
        [InlineData("P", "S(1)", Collective.ReduceScatter)]
        [InlineData("B", "S(0)", Collective.Slice)]
        [InlineData("S(0)", "S(1)", Collective.AllToAll)]
        [InlineData("B", "P", Collective.PartialFromBroadcast)]
        [InlineData("S(1)", "P", Collective.PartialFromSplit)]
        public void Each_transition_has_its_collective_and_ring_cost(string from, string to, Collective kind)
        {
            Assert.Equal(kind, Collectives.KindOf(Sbp.Parse(from), Sbp.Parse(to)));
            double t = 4096, n = 4;
            double expected = kind switch
            {
                Collective.AllGather => t * (n - 1),
                Collective.ReduceScatter => t * (n - 1),
                Collective.AllReduce => 2 * t * (n - 1),
                Collective.AllToAll => t * (n - 1) / n,
                _ => 0,
            };
            Assert.Equal(expected, Collectives.TotalBytes(kind, 4096, 4));
        }

        /// <summary>Megatron's column-then-row MLP: with only w1 S(1) and w2 S(0) given, the forward pass needs one
        /// all-reduce and nothing else (x and the biases are left to the planner).</summary>
        [Fact]
        public void Column_then_row_forward_has_exactly_one_all_reduce()
        {
            var p = NetworkPlanner.Compile(Mlp(x: null, b1: null, b2: null), PlanMode.Infer);
            Assert.Equal(new[] { ("t2", Collective.AllReduce) }, Boxings(p));
            Assert.Equal(Sbp.B, T(p, "x").Sbp);
            Assert.Equal(Sbp.S(0), T(p, "b1").Sbp);
        }

        /// <summary>Per device, a ring all-reduce sends 2(n−1)/n of the tensor, an all-gather (n−1)/n, a
        /// reduce-scatter (n−1)/n, an all-to-all (n−1)/n².</summary>
        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        [InlineData(8)]
        public void Communication_volume_follows_the_ring_formulas(int n)
        {
            const long t = 1 << 20;
            Assert.Equal(2.0 * (n - 1) / n * t, Collectives.TotalBytes(Collective.AllReduce, t, n) / n);
            Assert.Equal((n - 1.0) / n * t, Collectives.TotalBytes(Collective.AllGather, t, n) / n);
            Assert.Equal((n - 1.0) / n * t, Collectives.TotalBytes(Collective.ReduceScatter, t, n) / n);
            Assert.Equal((n - 1.0) / n / n * t, Collectives.TotalBytes(Collective.AllToAll, t, n) / n);
            Assert.Equal(0, Collectives.TotalBytes(Collective.Slice, t, n));
            Assert.Equal(0, Collectives.TotalBytes(Collective.PartialFromBroadcast, t, n));
        }

        [Fact]
        public void Report_states_bytes_per_device_by_the_formulas()
        {
            var p = Train(Mlp(w1: null, b1: null, w2: null, b2: null, batch: 1024));
            string report = PlanReport.Write(p);
            long w1 = 784 * 512 * 4;
            Assert.Contains($"all-reduce dw1 [784,512]: P -> B, needed by update of 4 weights (w1, b1, w2, b2); {2 * w1 * 3:N0} bytes per step ({2 * w1 * 3 / 4:N0} per device)".Replace(",", ","), report);
        }

        /// <summary>Replicated ids into a table split by rows on GPUs: each device looks up its own rows, giving partial
        /// sums (Megatron's vocabulary-parallel embedding). On CPUs the lookup is an exchange (EmbeddingExchangeTests).</summary>
        [Fact]
        public void On_gpus_ids_into_a_row_split_table_give_partial_sums()
        {
            var spec = new NetworkSpec("Vocab", 8, "cuda:0-3", Arr(W("table", "S(0)", 1000, 16), W("head", null, 1, 4)),
                Arr(new TensorDecl("ids", DeclKind.Ids, Arr(1), "B")),
                Arr(Op("e", "Embedding", "ids", "table"), Op("m", "Mean", "e"), Op("y", "MatMul", "m", "head")), "y",
                NetworkSpec.DefaultLoss("y"), "loss");
            var p = NetworkPlanner.Compile(spec, PlanMode.Infer);
            Assert.Equal(Sbp.P, T(p, "e").Sbp);
            Assert.Equal(DType.I32, T(p, "ids").DType);
        }

        /// <summary>On a 2×2 mesh, data parallel along the first axis and column-then-row along the second: the
        /// column-parallel product is split both ways, the row-parallel one is partial along mesh axis 1 only, and
        /// every weight's gradient reaches its weight's layout through conversions along single mesh axes.</summary>
        [Fact]
        public void Two_dimensional_mesh_mixes_data_and_model_parallelism()
        {
            var p = Train(Mlp(placement: "2x2:cpu", x: "S(0),B", w1: "B,S(1)", b1: "B,S(0)", w2: "B,S(0)", b2: null));
            Assert.Equal(4, p.Devices);
            Assert.Equal(NdSbp.Parse("S(0),S(1)"), T(p, "t0").Sbp);
            Assert.Equal(NdSbp.Parse("S(0),P"), T(p, "t2").Sbp);
            string report = PlanReport.Write(p);
            Assert.Contains("(mesh axis 0)", report);
            Assert.Contains("(mesh axis 1)", report);
            foreach (var w in new[] { "w1", "w2" })
            {
                var update = p.Ops.Single(o => o.Kind == OpKind.SgdUpdate);
                int at = System.Array.IndexOf(update.Inputs, T(p, w).Id);
                Assert.Equal(T(p, w).Sbp, p.Tensors[update.Inputs[at + 1]].Sbp);
            }
            Assert.Equal(new Shape(784, 256), p.RegisterOf(T(p, "w1").Id, 3).LocalShape);
        }

        [Fact]
        public void A_mesh_needs_one_sbp_per_axis()
        {
            var e = Assert.Throws<PlanException>(() => Train(Mlp(placement: "2x2:cpu", x: "S(0)")));
            Assert.Contains("has 2 mesh axes; give one per axis", e.Message);
        }

        /// <summary>A batch split over four devices survives flattening [8,4,6] → [32,6] (both 8 and 32 divide by 4),
        /// but not flattening over three devices, where the parts would be different runs of elements.</summary>
        [Theory]
        [InlineData("cpu:0-3", true)]
        [InlineData("cpu:0-2", false)]
        public void Reshape_keeps_a_batch_split_when_the_devices_divide_both_lengths(string placement, bool kept)
        {
            var spec = new NetworkSpec("Flat", 8, placement, Arr(W("w", null, 6, 3)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(4, 6), "S(0)")),
                Arr(OpWith("f", "Reshape", new[] { "x" }, 32, 6), Op("y", "MatMul", "f", "w")), "y", NetworkSpec.DefaultLoss("y"), "loss");
            var p = NetworkPlanner.Compile(spec, PlanMode.Infer);
            Assert.Equal(kept, T(p, "f").Sbp == NdSbp.Parse("S(0)"));
            Assert.Equal(new Shape(32, 6), T(p, "f").Shape);
        }

        private static OpDecl OpWith(string output, string op, string[] inputs, params double[] args)
            => new OpDecl(output, op, Arr(inputs)) { Args = Arr(args) };

        /// <summary>A [8,4,4] batch of matrices times a per-row scale [4,1]: the scale's gradient sums dy·m over
        /// the batch and the columns, so a batch split leaves partial sums, reduced once before the update.</summary>
        [Fact]
        public void Broadcast_operands_get_gradients_summed_over_their_repeated_axes()
        {
            var spec = new NetworkSpec("Scaled", 8, "cpu:0-3", Arr(W("w", null, 12, 16), W("scale", null, 4, 1), W("head", null, 16, 5)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(12), "S(0)")),
                Arr(Op("h", "MatMul", "x", "w"), OpWith("m", "Reshape", new[] { "h" }, 8, 4, 4), Op("z", "Mul", "m", "scale"),
                    OpWith("f", "Reshape", new[] { "z" }, 8, 16), Op("y", "MatMul", "f", "head")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            var p = Train(spec);
            Assert.Equal(new Shape(8, 4, 4), T(p, "z").Shape);
            var sum = p.Ops.Single(o => o.Kind == OpKind.SumTo);
            Assert.Equal(new Shape(4, 1), p.Tensors[sum.Output].Shape);
            Assert.Equal((NdSbp)Sbp.S(0), p.Tensors[sum.Inputs[0]].Sbp);
            Assert.Equal((NdSbp)Sbp.P, p.Tensors[sum.Output].Sbp);
            Assert.Contains(Boxings(p), b => b.Tensor == p.Tensors[sum.Output].Name && b.Kind == Collective.AllReduce);
        }

        [Fact]
        public void Shapes_that_do_not_broadcast_are_an_error_naming_both()
        {
            var spec = Mlp() with { Weights = Arr(W("w1", "S(1)", 784, 512), W("b1", null, 3, 1), W("w2", "S(0)", 512, 10), W("b2", null, 10)) };
            var e = Assert.Throws<PlanException>(() => Train(spec));
            Assert.Equal("Add: %0 is [64,512] but b1 is [3,1]; aligned at their last axes, each pair of lengths must be equal or one of them 1.".Replace("%0", "t0"), e.Message);
        }

        [Fact]
        public void Same_input_gives_the_same_plan_and_text_round_trips()
        {
            string a = PlanText.Write(Train(Mlp())), b = PlanText.Write(Train(Mlp()));
            Assert.Equal(a, b);
            Assert.Equal(a, PlanText.Write(PlanText.Read(a)));
            Assert.NotEqual(PlanText.Hash(a), PlanText.Hash(PlanText.Write(Train(Mlp(placement: "cpu:0-1")))));
        }

        /// <summary>The plan text opens with its format; a reader refuses another format, or a text from before formats
        /// were numbered, and says what to do instead of misreading it.</summary>
        [Fact]
        public void A_plan_text_of_another_format_is_refused_with_what_to_do()
        {
            string text = PlanText.Write(Train(Mlp()));
            Assert.StartsWith($"oneflow-dsl plan format {PlanText.Format}\n", text);
            var other = Assert.Throws<System.FormatException>(() => PlanText.Read(text.Replace($"plan format {PlanText.Format}\n", "plan format 99\n")));
            Assert.Equal($"This plan is in format 99, and this OneFlow.Dsl reads format {PlanText.Format}: rebuild the project that embedded it " +
                         "with the same OneFlow.Dsl version as the program that runs it.", other.Message);
            var unnumbered = Assert.Throws<System.FormatException>(() => PlanText.Read(text.Substring(text.IndexOf('\n') + 1)));
            Assert.StartsWith("This is not a OneFlow.Dsl plan of a known format: it starts 'plan Mlp Train cpu:0-3 output=", unnumbered.Message);
            Assert.EndsWith("rebuild the project that embedded it.", unnumbered.Message);
        }

        /// <summary>An op's attributes travel by name, each read back by its kind's own record; a missing or foreign one
        /// is refused with the op kind and the attribute named.</summary>
        [Fact]
        public void Plan_text_carries_each_ops_attributes_by_name()
        {
            var p = Train(Mlp());
            string text = PlanText.Write(p);
            var product = p.Ops.First(o => o.Kind == OpKind.MatMul && MatMulOp.Attributes(o).TransB);
            Assert.Contains($"op {product.Id} MatMul in={string.Join(",", product.Inputs)} out={product.Output} at=cpu:0-3 src=cpu:0-3 transA=0 transB=1 | ", text);
            var read = PlanText.Read(text);
            Assert.Equal(new MatMulAttributes(false, true), read.Ops[product.Id].Attributes);
            Assert.All(p.Ops.Zip(read.Ops), pair => Assert.Equal(AttributeWriter.Of(pair.First.Attributes), AttributeWriter.Of(pair.Second.Attributes)));

            var missing = Assert.Throws<System.FormatException>(() => PlanText.Read(text.Replace(" transA=0 transB=1 |", " transB=1 |")));
            Assert.Equal("MatMul: the plan text lacks its attribute 'transA'.", missing.Message);
            var relu = p.Ops.First(o => o.Kind == OpKind.ReluGrad);
            string reluLine = text.Split('\n').First(l => l.StartsWith($"op {relu.Id} ReluGrad "));
            var foreign = Assert.Throws<System.FormatException>(() => PlanText.Read(text.Replace(reluLine, reluLine.Replace(" |", " axis=1 |"))));
            Assert.Equal("ReluGrad has no attributes, but the plan text gives it some.", foreign.Message);
        }

        [Fact]
        public void Updates_wait_for_every_reader_of_their_weight()
        {
            var p = NetworkPlanner.Compile(Mlp(), PlanMode.Train, fuse: false);
            var update = p.Actors.First(a => p.Ops[a.Op].Kind == OpKind.SgdUpdate && p.Ops[a.Op].Inputs[0] == T(p, "w2").Id && a.Device == 0);
            var readers = p.Ops.Where(o => o.Kind != OpKind.SgdUpdate && o.Inputs.Contains(T(p, "w2").Id)).Select(o => o.Output).ToList();
            Assert.Equal(2, readers.Count); // the forward MatMul and dh = dt3 · w2ᵀ
            Assert.Equal(readers.Select(r => p.RegisterOf(r, 0).Id).OrderBy(i => i), update.Controls.OrderBy(i => i));
        }
    }
}

namespace OneFlow.Dsl.Planner.Tests
{
    public class PlanDotTests
    {
        [Fact]
        public void Graph_has_a_cluster_per_device_every_actor_and_highlighted_boxing()
        {
            var plan = NetworkPlanner.Compile(Specs.Mlp(), PlanMode.Train);
            string dot = PlanDot.Write(plan);
            Assert.StartsWith("digraph \"Mlp\" {", dot);
            Assert.Equal(dot.Count(c => c == '{'), dot.Count(c => c == '}'));
            Assert.Equal(plan.Devices, System.Text.RegularExpressions.Regex.Matches(dot, "subgraph cluster_").Count);
            foreach (var a in plan.Actors) Assert.Contains($"  a{a.Id} [label=", dot);
            int boxingActors = plan.Actors.Count(a => plan.Ops[a.Op].Kind == OpKind.Boxing);
            Assert.Equal(boxingActors, System.Text.RegularExpressions.Regex.Matches(dot, "fillcolor=\"#ffd0d0\"").Count);
            int dataEdges = plan.Actors.Sum(a => a.Inputs.Distinct().Count(r => plan.Registers[r].Producer >= 0));
            Assert.Equal(dataEdges, System.Text.RegularExpressions.Regex.Matches(dot, @"-> a\d+ \[label=").Count);
            Assert.Contains("label=\"x S(0) [16,784]\"", dot);
        }
    }
}
