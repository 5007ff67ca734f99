using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>What an op definition writes its ONNX form with (<c>OpDef.ToOnnx</c>): its operands' and output's
    /// names and shapes, and nodes and constants to add. Intermediate values get names derived from the output's.</summary>
    internal sealed class OnnxWriter
    {
        private readonly List<OnnxNode> _nodes = new List<OnnxNode>();
        private readonly List<OnnxConstant> _constants = new List<OnnxConstant>();
        private readonly LogicalGraph _graph;
        private readonly IReadOnlyDictionary<int, string> _names;
        private LogicalOp _op = null!;
        private int _parts;

        public OnnxWriter(LogicalGraph graph, IReadOnlyDictionary<int, string> names) { _graph = graph; _names = names; }

        public IReadOnlyList<OnnxNode> Written => _nodes;
        public IReadOnlyList<OnnxConstant> WrittenConstants => _constants;

        /// <summary>Starts the nodes of <paramref name="op"/>.</summary>
        public void Begin(LogicalOp op) { _op = op; _parts = 0; }

        public LogicalOp Op => _op;
        public string Input(int i) => _names[_op.Inputs[i]];
        public Shape InputShape(int i) => _graph.Tensor(_op.Inputs[i]).Shape;
        public string Output => _names[_op.Output];
        public Shape OutputShape => _graph.Tensor(_op.Output).Shape;

        /// <summary>The op's value: a node writing the op's output.</summary>
        public void Emit(string opType, string[] inputs, params OnnxAttribute[] attributes) => Add(opType, inputs, new[] { Output }, attributes);

        /// <summary>An intermediate value: a node writing a new name, which it returns.</summary>
        public string Node(string opType, string[] inputs, params OnnxAttribute[] attributes) => Nodes(opType, inputs, 1, attributes)[0];

        /// <summary>A node with several outputs, all new names.</summary>
        public string[] Nodes(string opType, string[] inputs, int outputs, params OnnxAttribute[] attributes)
        {
            var names = Enumerable.Range(0, outputs).Select(_ => Fresh()).ToArray();
            Add(opType, inputs, names, attributes);
            return names;
        }

        /// <summary>A constant vector of 64-bit integers (a shape, axes, positions).</summary>
        public string Longs(params long[] values) => Constant(new[] { values.Length }, values, null);

        /// <summary>A float scalar, broadcast by the node that reads it.</summary>
        public string Scalar(float value) => Constant(new int[0], null, new[] { value });

        /// <summary>A constant float tensor.</summary>
        public string Floats(Shape shape, float[] values) => Constant(shape.ToArray(), null, values);

        /// <summary>Swaps the last two axes of a value of rank <paramref name="rank"/>.</summary>
        public string TransposeLastTwo(string value, int rank) => Node("Transpose", new[] { value }, OnnxAttribute.Of("perm", LastTwoSwapped(rank)));

        /// <summary>The permutation of <paramref name="rank"/> axes that swaps the last two.</summary>
        public static long[] LastTwoSwapped(int rank)
        {
            var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
            perm[rank - 2] = rank - 1;
            perm[rank - 1] = rank - 2;
            return perm;
        }

        /// <summary>The export fails: this op has no ONNX form.</summary>
        public OnnxExportException NoForm(string why) => new OnnxExportException($"ONNX export: {_op.Kind} ({_op.Origin}) has no ONNX form: {why}. Nothing was written.");

        private string Constant(int[] dims, long[]? longs, float[]? floats)
        {
            string name = Fresh();
            _constants.Add(new OnnxConstant(name, dims, longs, floats));
            return name;
        }

        private void Add(string opType, string[] inputs, string[] outputs, OnnxAttribute[] attributes)
            => _nodes.Add(new OnnxNode($"{_names[_op.Output >= 0 ? _op.Output : _op.Inputs[0]]}/{opType}{_nodes.Count}", opType, inputs, outputs, attributes));

        private string Fresh() => $"{Output}/{_parts++}";
    }
}
