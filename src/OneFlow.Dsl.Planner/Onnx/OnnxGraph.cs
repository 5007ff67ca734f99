using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Onnx
{
    /// <summary>A network's inference graph in ONNX's terms, as plain data: what <see cref="OnnxExport"/> derives from
    /// the network and a serializer writes as an ONNX model. The weights and buffers are <see cref="State"/>, by name;
    /// their values are the serializer's to supply.</summary>
    public sealed class OnnxGraph
    {
        /// <summary>The operator set the nodes are written for: the default domain at this version.</summary>
        public const int Opset = 17;

        public string Name { get; }
        public IReadOnlyList<OnnxValue> Inputs { get; }
        public OnnxValue Output { get; }
        /// <summary>The network's weights and buffers, named as in its safetensors file, in the order declared.</summary>
        public IReadOnlyList<OnnxValue> State { get; }
        /// <summary>Constants the op forms need (shapes, axes, masks, scalars).</summary>
        public IReadOnlyList<OnnxConstant> Constants { get; }
        public IReadOnlyList<OnnxNode> Nodes { get; }

        internal OnnxGraph(string name, IReadOnlyList<OnnxValue> inputs, OnnxValue output, IReadOnlyList<OnnxValue> state,
            IReadOnlyList<OnnxConstant> constants, IReadOnlyList<OnnxNode> nodes)
        {
            Name = name; Inputs = inputs; Output = output; State = state; Constants = constants; Nodes = nodes;
        }
    }

    /// <summary>An input, output or initializer: its name, element type and dimensions.</summary>
    public sealed class OnnxValue
    {
        public string Name { get; }
        public DType Type { get; }
        public IReadOnlyList<OnnxDim> Dims { get; }

        internal OnnxValue(string name, DType type, IReadOnlyList<OnnxDim> dims) { Name = name; Type = type; Dims = dims; }
    }

    /// <summary>A dimension: a fixed size, or a symbol (the batch, or a multiple of it) that the model leaves open.</summary>
    public readonly struct OnnxDim
    {
        public OnnxDim(int size, string? symbol) { Size = size; Symbol = symbol; }

        public int Size { get; }
        /// <summary>Null for a fixed size.</summary>
        public string? Symbol { get; }

        public override string ToString() => Symbol ?? Size.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>One ONNX node in the default domain.</summary>
    public sealed class OnnxNode
    {
        public string Name { get; }
        public string OpType { get; }
        public IReadOnlyList<string> Inputs { get; }
        public IReadOnlyList<string> Outputs { get; }
        public IReadOnlyList<OnnxAttribute> Attributes { get; }

        internal OnnxNode(string name, string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyList<OnnxAttribute> attributes)
        {
            Name = name; OpType = opType; Inputs = inputs; Outputs = outputs; Attributes = attributes;
        }

        public override string ToString()
            => $"{string.Join(", ", Outputs)} = {OpType}({string.Join(", ", Inputs)}){(Attributes.Count == 0 ? "" : " {" + string.Join(", ", Attributes) + "}")}";
    }

    /// <summary>A node attribute: an integer, a float, a list of integers or a string.</summary>
    public sealed class OnnxAttribute
    {
        public string Name { get; }
        public long? Int { get; }
        public float? Float { get; }
        public IReadOnlyList<long>? Ints { get; }
        public string? Text { get; }

        private OnnxAttribute(string name, long? i, float? f, IReadOnlyList<long>? ints, string? text = null) { Name = name; Int = i; Float = f; Ints = ints; Text = text; }

        public static OnnxAttribute Of(string name, long value) => new OnnxAttribute(name, value, null, null);
        public static OnnxAttribute Of(string name, float value) => new OnnxAttribute(name, null, value, null);
        public static OnnxAttribute Of(string name, params long[] values) => new OnnxAttribute(name, null, null, values);
        public static OnnxAttribute Of(string name, string value) => new OnnxAttribute(name, null, null, null, value);

        public override string ToString()
            => $"{Name}={(Int?.ToString(CultureInfo.InvariantCulture) ?? Float?.ToString("R", CultureInfo.InvariantCulture) ?? (Text != null ? "\"" + Text + "\"" : "[" + string.Join(",", Ints!) + "]"))}";
    }

    /// <summary>A constant tensor: 64-bit integers (shapes, axes) or floats (scalars, masks).</summary>
    public sealed class OnnxConstant
    {
        public string Name { get; }
        public IReadOnlyList<int> Dims { get; }
        public IReadOnlyList<long>? Longs { get; }
        public IReadOnlyList<float>? Floats { get; }

        internal OnnxConstant(string name, int[] dims, long[]? longs, float[]? floats) { Name = name; Dims = dims; Longs = longs; Floats = floats; }

        public override string ToString()
            => $"{Name}[{string.Join(",", Dims)}] = {(Longs != null ? string.Join(",", Longs) : string.Join(",", Floats!.Select(f => f.ToString("R", CultureInfo.InvariantCulture))))}";
    }

    /// <summary>The network cannot be written as ONNX; the message names the op and why. Nothing was written.</summary>
    public sealed class OnnxExportException : System.Exception
    {
        public OnnxExportException(string message) : base(message) { }
    }
}
