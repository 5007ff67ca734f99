using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The op kinds an eager call runs, forward and backward: a composite's parts, and the kinds every gradient
    /// rule emits. Worked out from the op definitions as <c>Eager</c> applies them (expansion, then each part's rule),
    /// without computing anything, so a test can say which kinds a call exercises.</summary>
    internal sealed class KindsRun : GradientBuilder
    {
        private readonly LogicalGraph _graph;
        private readonly HashSet<int> _constants;
        private readonly HashSet<OpKind> _kinds = new();

        private KindsRun(LogicalGraph graph, IEnumerable<int> constants)
        {
            _graph = graph;
            _constants = new HashSet<int>(constants);
        }

        /// <param name="differentiated">The operands whose gradients the call asks for (the others are constants).</param>
        public static IReadOnlySet<OpKind> Of(OpKind kind, Shape[] shapes, DType[] types, double[] args, bool training, int[] differentiated)
        {
            var graph = new LogicalGraph();
            var operands = Enumerable.Range(0, shapes.Length).Select(i => graph.AddTensor("x" + i, shapes[i], types[i], TensorRole.Input).Id).ToArray();
            var run = new KindsRun(graph, operands.Except(differentiated));
            var attributes = OpRegistry.Get(kind).FromCall("call", args);
            if (OpRegistry.Get(kind) is CompositeOp composite)
            {
                run._kinds.Add(kind);
                composite.Expand(new Parts(run, training), operands, attributes);
            }
            else run.Call(kind, operands, attributes);
            return run._kinds;
        }

        /// <summary>An eager call: the op, then its gradient rule on a gradient of its output.</summary>
        private int Call(OpKind kind, int[] inputs, OpAttributes? attributes)
        {
            var op = SingleOp.Add(_graph, kind, inputs, "y" + _graph.Tensors.Count, attributes);
            _kinds.Add(kind);
            if (op.Output < 0 || _graph.Tensor(op.Output).DType != DType.F32 || OpRegistry.Get(kind).NotDifferentiable != null) return op.Output;
            var output = _graph.Tensor(op.Output);
            var gradient = _graph.AddTensor("d" + output.Name, output.Shape, DType.F32, TensorRole.Gradient);
            OpRegistry.Get(kind).Backward(this, op, gradient.Id);
            return op.Output;
        }

        public override bool NeedsGradient(int tensor) => _graph.Tensor(tensor).DType == DType.F32 && !_constants.Contains(tensor);

        public override Shape ShapeOf(int tensor) => _graph.Tensor(tensor).Shape;

        public override int Emit(OpKind kind, int[] inputs, int of, OpAttributes? attributes = null)
        {
            _kinds.Add(kind);
            return SingleOp.Add(_graph, kind, inputs, "d" + _graph.Tensors.Count, attributes).Output;
        }

        public override void Accumulate(int tensor, int gradient) { }

        /// <summary>A composite's parts, each an eager call of its own.</summary>
        private sealed class Parts : CompositeBuilder
        {
            private readonly KindsRun _run;

            public Parts(KindsRun run, bool training) => (_run, Training) = (run, training);

            public override bool Training { get; }

            public override Shape ShapeOf(int tensor) => _run.ShapeOf(tensor);

            public override string NameOf(int tensor) => _run._graph.Tensor(tensor).Name;

            public override int Add(OpKind kind, int[] inputs, string part, OpAttributes? attributes = null) => _run.Call(kind, inputs, attributes);

            public override PlanException Mismatch(string message) => new PlanException(PlanErrorKind.ShapeMismatch, "call", message);
        }
    }
}
