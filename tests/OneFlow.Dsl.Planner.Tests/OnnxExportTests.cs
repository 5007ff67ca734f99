using System.Linq;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The ONNX form of a network, as data: names, open batch, each op's nodes, and what cannot be exported.
    /// (ONNX Runtime runs the written files in OneFlow.Dsl.Tests.)</summary>
    public class OnnxExportTests
    {
        [Fact]
        public void The_mlp_keeps_its_names_and_leaves_the_batch_open()
        {
            var graph = OnnxExport.Build(Mlp());
            var x = Assert.Single(graph.Inputs);
            Assert.Equal("x", x.Name);
            Assert.Equal(new[] { "batch", "784" }, x.Dims.Select(d => d.ToString()));
            Assert.Equal(new[] { "batch", "10" }, graph.Output.Dims.Select(d => d.ToString()));
            Assert.Equal(new[] { "w1", "b1", "w2", "b2" }, graph.State.Select(s => s.Name));
            Assert.Equal(new[] { "MatMul", "Add", "Relu", "MatMul", "Add" }, graph.Nodes.Select(n => n.OpType));
            Assert.Equal(graph.Output.Name, graph.Nodes.Last().Outputs.Single());
        }

        [Fact]
        public void A_reshape_of_rows_times_positions_names_the_multiple_of_the_batch()
        {
            var spec = new NetworkSpec("Rows", 8, "cpu:0", Arr(W("w", null, 6, 3)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(4, 6), null)),
                Arr(Op("flat", "Reshape", "x") with { Args = Arr(-1.0, 6) }, Op("y", "MatMul", "flat", "w")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            var graph = OnnxExport.Build(spec);
            Assert.Equal(new[] { "batch*4", "3" }, graph.Output.Dims.Select(d => d.ToString()));
            var shape = graph.Constants.Single(c => c.Name == graph.Nodes.Single(n => n.OpType == "Reshape").Inputs[1]);
            Assert.Equal(new long[] { -1, 6 }, shape.Longs);
        }

        [Fact]
        public void A_reshape_that_writes_the_batch_size_fails_and_says_what_to_write()
        {
            var spec = new NetworkSpec("Fixed", 8, "cpu:0", Arr(W("w", null, 6, 3)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(4, 6), null)),
                Arr(Op("flat", "Reshape", "x") with { Args = Arr(32.0, 6) }, Op("y", "MatMul", "flat", "w")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            // Planned at 8 rows it is fine; an exported model must take any batch.
            var e = Assert.Throws<OnnxExportException>(() => OnnxExport.Build(spec));
            Assert.Contains("flat fails", e.Message);
            Assert.Contains("write -1 for the axis that takes the rest", e.Message);
        }

        [Fact]
        public void An_op_without_an_onnx_form_fails_with_its_name()
        {
            var g = new LogicalGraph();
            var at = Placement.Parse("cpu:0");
            var x = g.Tensor(g.AddOp(OpKind.Input, new int[0], "x", TensorRole.Input, "x", at).Output);
            x.Shape = new Shape(2, 3);
            var dy = g.Tensor(g.AddOp(OpKind.Input, new int[0], "dy", TensorRole.Input, "dy", at).Output);
            dy.Shape = new Shape(2, 3);
            var grad = g.AddOp(OpKind.ReluGrad, new[] { dy.Id, x.Id }, "dx", TensorRole.Gradient, "grad of x", at);
            var writer = new OnnxWriter(g, g.Tensors.ToDictionary(t => t.Id, t => t.Name));
            writer.Begin(grad);
            var e = Assert.Throws<OnnxExportException>(() => OpRegistry.Get(grad.Kind).ToOnnx(writer));
            Assert.Contains("ReluGrad (grad of x) has no ONNX form", e.Message);
            Assert.Empty(writer.Written);
        }

        [Fact]
        public void Every_op_a_user_writes_has_an_onnx_form_or_is_expanded_into_ops_that_do()
        {
            var missing = System.Enum.GetValues(typeof(OpKind)).Cast<OpKind>()
                .Select(OpRegistry.Get)
                .Where(d => d.UserName != null && !(d is CompositeOp) && !d.IsIdentityWhenInferring)
                .Where(d => d.GetType().GetMethod(nameof(OpDef.ToOnnx))!.DeclaringType == typeof(OpDef)
                            && d.GetType().GetProperty("OnnxOperator", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.DeclaringType == typeof(OpDef))
                .Select(d => d.Kind);
            Assert.Empty(missing);
        }
    }
}
