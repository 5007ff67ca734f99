using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>One op alone on whole tensors, on one device: what an eager call, a kernel test and a kernel benchmark
    /// run. The op's definition checks the operands as it would in a plan.</summary>
    internal static class SingleOp
    {
        private static readonly Placement Here = Placement.Parse("cpu:0");
        private static readonly string[] Names = { "a", "b", "c", "d", "e", "f", "g", "h" };

        /// <summary>A graph of operands of <paramref name="shapes"/> (named x, or a, b, …, a8, a9 …) and the op; throws
        /// <see cref="PlanException"/> where the op refuses them.</summary>
        public static (LogicalGraph Graph, LogicalOp Op) Build(OpKind kind, Shape[] shapes, DType[] types, OpAttributes? attributes = null)
        {
            var graph = new LogicalGraph();
            var ids = new int[shapes.Length];
            for (int i = 0; i < shapes.Length; i++)
                ids[i] = graph.AddTensor(shapes.Length == 1 ? "x" : i < Names.Length ? Names[i] : "a" + i, shapes[i], types[i], TensorRole.Input).Id;
            return (graph, Add(graph, kind, ids, "y", attributes));
        }

        /// <summary>Appends another op to such a graph (a gradient rule's).</summary>
        public static LogicalOp Add(LogicalGraph graph, OpKind kind, int[] inputs, string name, OpAttributes? attributes = null)
            => graph.AddOp(kind, inputs, name, TensorRole.Activation, kind.ToString(), Here, attributes);

        /// <summary>What the op's kernel is handed: every operand whole.</summary>
        public static OpGeometry Geometry(LogicalGraph graph, LogicalOp op)
            => OpGeometry.Whole(new PlanOp(op.Id, op.Kind, op.Inputs, op.Output, op.Attributes, op.Origin, Here, Here),
                op.Inputs.Select(i => graph.Tensor(i).Shape).ToArray(), op.Output >= 0 ? graph.Tensor(op.Output).Shape : Shape.Scalar);
    }
}
