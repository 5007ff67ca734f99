using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Export
{
    /// <summary>Writes a network's inference graph (<see cref="OnnxExport"/>) as an ONNX model with its weights and
    /// buffers as initializers, through the ONNX schema's protobuf classes. The file is written whole or not at all,
    /// and only once the graph is known to be exportable.</summary>
    public static class OnnxFile
    {
        /// <summary>IR version 8: what opset 17 came with.</summary>
        private const long IrVersion = 8;

        public static void Write(string path, NetworkSpec spec, IReadOnlyList<(string Name, Tensor Value)> state)
        {
            var model = Model(OnnxExport.Build(spec), state);
            AtomicFile.Write(path, s => s, stream => model.WriteTo(stream));
        }

        internal static ModelProto Model(OnnxGraph graph, IReadOnlyList<(string Name, Tensor Value)> state)
        {
            var values = state.ToDictionary(s => s.Name, s => s.Value);
            var g = new GraphProto { Name = graph.Name };
            g.Input.AddRange(graph.Inputs.Select(ValueInfo));
            g.Output.Add(ValueInfo(graph.Output));
            g.Initializer.AddRange(graph.State.Select(w => Floats(w.Name, w.Dims.Select(d => d.Size), values[w.Name].ToArray())));
            g.Initializer.AddRange(graph.Constants.Select(Constant));
            g.Node.AddRange(graph.Nodes.Select(Node));
            var model = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = "OneFlow.Dsl",
                ProducerVersion = typeof(OnnxFile).Assembly.GetName().Version?.ToString() ?? "",
                Graph = g,
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxGraph.Opset });
            return model;
        }

        private static ValueInfoProto ValueInfo(OnnxValue value)
        {
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(value.Dims.Select(d => d.Symbol == null
                ? new TensorShapeProto.Types.Dimension { DimValue = d.Size }
                : new TensorShapeProto.Types.Dimension { DimParam = d.Symbol }));
            return new ValueInfoProto
            {
                Name = value.Name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = ElementType(value.Type), Shape = shape } },
            };
        }

        private static int ElementType(DType type) => type switch
        {
            DType.I32 => (int)TensorProto.Types.DataType.Int32,
            DType.Bool => (int)TensorProto.Types.DataType.Bool,
            _ => (int)TensorProto.Types.DataType.Float,
        };

        private static TensorProto Constant(OnnxConstant c)
        {
            if (c.Floats != null) return Floats(c.Name, c.Dims, c.Floats.ToArray());
            var t = new TensorProto { Name = c.Name, DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.AddRange(c.Dims.Select(d => (long)d));
            t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(c.Longs!.ToArray().AsSpan()));
            return t;
        }

        /// <summary>Floats as raw little-endian bytes, as ONNX stores them.</summary>
        private static TensorProto Floats(string name, IEnumerable<int> dims, float[] values)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian data.");
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims.Select(d => (long)d));
            t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
            return t;
        }

        private static NodeProto Node(OnnxNode n)
        {
            var node = new NodeProto { Name = n.Name, OpType = n.OpType };
            node.Input.AddRange(n.Inputs);
            node.Output.AddRange(n.Outputs);
            node.Attribute.AddRange(n.Attributes.Select(Attribute));
            return node;
        }

        private static AttributeProto Attribute(OnnxAttribute a)
        {
            var p = new AttributeProto { Name = a.Name };
            if (a.Int is long i) { p.Type = AttributeProto.Types.AttributeType.Int; p.I = i; }
            else if (a.Float is float f) { p.Type = AttributeProto.Types.AttributeType.Float; p.F = f; }
            else if (a.Text is string text) { p.Type = AttributeProto.Types.AttributeType.String; p.S = Google.Protobuf.ByteString.CopyFromUtf8(text); }
            else { p.Type = AttributeProto.Types.AttributeType.Ints; p.Ints.AddRange(a.Ints!); }
            return p;
        }
    }
}
