using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Chooses an SBP signature for every op, in graph order, by the communication it costs, and inserts a
    /// boxing op wherever a producer's SBP differs from what its consumer's signature needs.</summary>
    /// <remarks>Greedy like OneFlow's default, with two additions that the whole-graph view allows: a boxed
    /// tensor is reused by every later consumer that needs the same SBP (the backward pass reads the activations
    /// the forward pass already gathered, for free), and a weight's gradient is charged the cost of reaching the
    /// weight's own SBP, where its update needs it. Replicating an op's work on every device is charged too, so that
    /// gathering both operands of a big product is not mistaken for cheap.</remarks>
    public sealed class SbpSelection
    {
        private readonly LogicalGraph _graph;
        private readonly int _devices;
        private readonly Dictionary<(int, Sbp), int> _boxed = new Dictionary<(int, Sbp), int>();
        private readonly List<LogicalOp> _ordered = new List<LogicalOp>();

        private SbpSelection(LogicalGraph graph, int devices) { _graph = graph; _devices = devices; }

        public static void Run(LogicalGraph graph, int devices)
        {
            if (devices == 1)
            {
                foreach (var t in graph.Tensors) t.Sbp = Sbp.B;
                return;
            }
            var selection = new SbpSelection(graph, devices);
            foreach (var op in graph.Ops.ToList()) selection.Place(op);
            selection.Renumber();
        }

        private void Place(LogicalOp op)
        {
            if (op.Kind != OpKind.Input)
            {
                var signature = Choose(op);
                if (op.Output >= 0) _graph.Tensor(op.Output).Sbp = signature.Output;
                for (int i = 0; i < op.Inputs.Length; i++) op.Inputs[i] = Converted(op.Inputs[i], signature.Inputs[i]);
            }
            _ordered.Add(op);
        }

        private Signature Choose(LogicalOp op)
        {
            var def = OpRegistry.Get(op.Kind);
            Signature? best = null;
            double bestCost = double.PositiveInfinity;
            foreach (var s in def.Signatures(_graph, op).Where(s => Fits(op, s)))
            {
                double cost = Cost(op, s);
                if (cost < bestCost) { best = s; bestCost = cost; }
            }
            if (best == null)
            {
                string have = string.Join(", ", op.Inputs.Select(i => $"{_graph.Tensor(i).Name} {_graph.Tensor(i).Sbp}"));
                throw new PlanException(PlanErrorKind.NoSignature, op.Subject,
                    $"{op.Kind}: no SBP signature accepts {have}, and no boxing reaches one; change the Sbp of an operand.");
            }
            return best;
        }

        private double Cost(LogicalOp op, Signature s)
        {
            double cost = 0;
            for (int i = 0; i < op.Inputs.Length; i++)
            {
                var t = _graph.Tensor(op.Inputs[i]);
                if (!_boxed.ContainsKey((t.Id, s.Inputs[i]))) cost += Boxing.Cost(t.Sbp, s.Inputs[i], t.Bytes, _devices);
            }
            // A replicated result means every device does all of the work.
            if (s.Output.IsBroadcast) cost += (_devices - 1) * OpRegistry.Get(op.Kind).Flops(_graph, op) / Boxing.FlopsPerByte;
            if (op.Output >= 0 && _graph.Tensor(op.Output).GradientOf >= 0)
            {
                var weight = _graph.Tensor(_graph.Tensor(op.Output).GradientOf);
                cost += Boxing.Cost(s.Output, weight.Sbp, weight.Bytes, _devices);
            }
            return cost;
        }

        /// <summary>A split needs at least one row per device along its axis.</summary>
        private bool Fits(LogicalOp op, Signature s)
        {
            for (int i = 0; i < op.Inputs.Length; i++)
                if (!Fits(_graph.Tensor(op.Inputs[i]).Shape, s.Inputs[i])) return false;
            return op.Output < 0 || Fits(_graph.Tensor(op.Output).Shape, s.Output);
        }

        private bool Fits(Shape shape, Sbp sbp) => !sbp.IsSplit || (sbp.Axis < shape.Rank && shape[sbp.Axis] >= _devices);

        private int Converted(int tensor, Sbp needed)
        {
            var t = _graph.Tensor(tensor);
            if (t.Sbp == needed) return tensor;
            if (_boxed.TryGetValue((tensor, needed), out int existing)) return existing;
            var boxing = _graph.AddOp(OpKind.Boxing, new[] { tensor }, t.Name + "@" + needed, TensorRole.Boxed,
                $"{t.Name}: {t.Sbp} -> {needed}");
            boxing.From = t.Sbp;
            boxing.To = needed;
            _graph.Tensor(boxing.Output).Sbp = needed;
            _ordered.Add(boxing);
            _boxed[(tensor, needed)] = boxing.Output;
            return boxing.Output;
        }

        /// <summary>Boxing ops were appended to the graph but run just before their first consumer: renumber the
        /// ops in that order so that op ids stay a topological order.</summary>
        private void Renumber()
        {
            _graph.Ops.Clear();
            foreach (var op in _ordered)
            {
                op.Id = _graph.Ops.Count;
                _graph.Ops.Add(op);
                if (op.Output >= 0) _graph.Tensor(op.Output).Producer = op.Id;
            }
        }
    }
}
