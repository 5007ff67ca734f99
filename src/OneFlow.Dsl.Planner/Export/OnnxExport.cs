using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Export
{
    /// <summary>A network's inference graph (evaluation mode: dropout off, batch norm on its running statistics) in
    /// ONNX's terms, each op written by its own definition (<c>OpDef.ToOnnx</c>). The batch is left open: the graph is
    /// derived at two batch sizes, the dimensions that differ become symbols, and every node and constant must come
    /// out the same at both, so that no op bakes a batch size into the model.</summary>
    public static class OnnxExport
    {
        private const int BatchA = 2, BatchB = 3;

        public static OnnxGraph Build(NetworkSpec spec)
        {
            var a = Derive(spec, BatchA);
            var b = Derive(spec, BatchB);
            var nodesA = a.Writer.Written.Select(n => n.ToString()).Concat(a.Writer.WrittenConstants.Select(c => c.ToString())).ToList();
            var nodesB = b.Writer.Written.Select(n => n.ToString()).Concat(b.Writer.WrittenConstants.Select(c => c.ToString())).ToList();
            int differs = Enumerable.Range(0, System.Math.Min(nodesA.Count, nodesB.Count)).FirstOrDefault(i => nodesA[i] != nodesB[i]);
            if (nodesA.Count != nodesB.Count || nodesA[differs] != nodesB[differs])
                throw new OnnxExportException($"ONNX export: the graph changes with the batch size at '{nodesA[differs]}' (against '{nodesB[differs]}'), " +
                    "so it cannot leave the batch open; write the batch axis of reshapes as -1. Nothing was written.");
            OnnxValue Value(int tensor, string name) => new OnnxValue(name, a.Graph.Tensor(tensor).DType, Dims(a.Graph.Tensor(tensor).Shape, b.Graph.Tensor(tensor).Shape, name));
            var inputs = spec.Inputs.Select(x => Value(a.Ids[x.Name], x.Name)).ToList();
            var state = spec.Weights.Select(w => Value(a.Ids[w.Name], w.Name)).ToList();
            return new OnnxGraph(spec.Name, inputs, Value(a.Output, a.Names[a.Output]), state, a.Writer.WrittenConstants, a.Writer.Written);
        }

        private sealed class Derived
        {
            public LogicalGraph Graph = null!;
            public OnnxWriter Writer = null!;
            public Dictionary<string, int> Ids = null!;
            public Dictionary<int, string> Names = null!;
            public int Output;
        }

        private static Derived Derive(NetworkSpec spec, int batch)
        {
            const string device = "cpu:0";
            var one = spec.WithOnePlacement(device) with { Batch = batch, MicroBatches = 1 };
            LogicalGraph graph;
            int output;
            try { graph = GraphBuilder.Build(one, Placement.Parse(device), PlanMode.Infer, new List<PlanWarning>(), out output); }
            catch (PlanException e)
            {
                throw new OnnxExportException($"ONNX export: an exported model takes any batch, but at {batch} rows {e.Subject} fails: {e.Message} Nothing was written.");
            }
            var names = UniqueNames(graph);
            var writer = new OnnxWriter(graph, names);
            foreach (var op in graph.Ops.Where(o => o.Kind != OpKind.Input))
            {
                writer.Begin(op);
                OpRegistry.Get(op.Kind).ToOnnx(writer);
            }
            var ids = graph.Tensors.Where(t => t.Role == TensorRole.Input || t.IsState).ToDictionary(t => t.Name, t => t.Id);
            return new Derived { Graph = graph, Writer = writer, Ids = ids, Names = names, Output = output };
        }

        /// <summary>Every tensor's ONNX name: the weights', buffers' and inputs' own (the safetensors names), the
        /// others' made unique where statements in modules share one.</summary>
        private static Dictionary<int, string> UniqueNames(LogicalGraph graph)
        {
            var names = new Dictionary<int, string>();
            var taken = new HashSet<string>(graph.Tensors.Where(t => t.Role == TensorRole.Input || t.IsState).Select(t => t.Name));
            foreach (var t in graph.Tensors)
            {
                if (t.Role == TensorRole.Input || t.IsState) { names[t.Id] = t.Name; continue; }
                string name = t.Name;
                for (int n = 2; !taken.Add(name); n++) name = $"{t.Name}_{n}";
                names[t.Id] = name;
            }
            return names;
        }

        /// <summary>The dimensions of a value seen at batches <see cref="BatchA"/> and <see cref="BatchB"/>: those
        /// that differ grow with the batch and become the symbol "batch" (or a multiple of it, as "batch*64").</summary>
        private static OnnxDim[] Dims(Shape a, Shape b, string name)
            => a.ToArray().Select((size, i) =>
            {
                if (size == b[i]) return new OnnxDim(size, null);
                int per = b[i] - size;
                if (size != per * BatchA)
                    throw new OnnxExportException($"ONNX export: dimension {i} of {name} is {size} at batch {BatchA} and {b[i]} at batch {BatchB}, not a multiple of the batch. Nothing was written.");
                return new OnnxDim(0, per == 1 ? "batch" : $"batch*{per}");
            }).ToArray();
    }
}
