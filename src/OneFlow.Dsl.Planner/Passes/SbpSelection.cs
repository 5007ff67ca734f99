using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Chooses the SBP of every tensor the user left open and a signature for every op, then inserts a
    /// boxing op wherever a producer's SBP differs from what a consumer needs.</summary>
    /// <remarks>The choice minimises one whole-graph cost: the bytes of every distinct conversion (a tensor boxed
    /// once serves every consumer that needs that SBP, so the backward pass reads for free what the forward pass
    /// gathered), the network output brought to the host whole, and the work replicated when an op's result is
    /// broadcast (every device doing all of it). It starts from OneFlow's greedy choice, op by op in graph order,
    /// and then improves one op or one open tensor at a time while the total falls: a search OneFlow can only run as
    /// an option, affordable here because the whole graph is known at build time.</remarks>
    public sealed class SbpSelection
    {
        private const int MaxSweeps = 8;

        private readonly LogicalGraph _graph;
        private readonly int _devices;
        private readonly int _output;
        private readonly PlanMode _mode;
        private readonly List<LogicalOp> _ops;
        private readonly Dictionary<int, List<Signature>> _signatures = new Dictionary<int, List<Signature>>();
        private readonly Dictionary<int, int> _choice = new Dictionary<int, int>();
        private readonly List<LogicalTensor> _free;

        private SbpSelection(LogicalGraph graph, int devices, int output, PlanMode mode)
        {
            _graph = graph;
            _devices = devices;
            _output = output;
            _mode = mode;
            _ops = graph.Ops.Where(o => o.Kind != OpKind.Input).ToList();
            _free = graph.Tensors.Where(t => t.Free).ToList();
        }

        public static void Run(LogicalGraph graph, int devices, int output, PlanMode mode)
        {
            if (devices == 1)
            {
                foreach (var t in graph.Tensors) t.Sbp = Sbp.B;
                return;
            }
            var selection = new SbpSelection(graph, devices, output, mode);
            selection.Greedy();
            selection.Improve();
            selection.InsertBoxing();
        }

        /// <summary>Op by op, the signature whose inputs cost least to provide, counting conversions already needed.</summary>
        private void Greedy()
        {
            var needed = new HashSet<(int, Sbp)>();
            foreach (var op in _ops)
            {
                var options = Options(op);
                int best = -1;
                double bestCost = double.PositiveInfinity;
                for (int i = 0; i < options.Count; i++)
                {
                    double cost = Replication(op, options[i]);
                    for (int k = 0; k < op.Inputs.Length; k++)
                    {
                        var t = _graph.Tensor(op.Inputs[k]);
                        if (!needed.Contains((t.Id, options[i].Inputs[k]))) cost += Boxing.Cost(t.Sbp, options[i].Inputs[k], t.Bytes, _devices);
                    }
                    if (cost < bestCost) { best = i; bestCost = cost; }
                }
                if (best < 0) throw NoSignature(op);
                _choice[op.Id] = best;
                for (int k = 0; k < op.Inputs.Length; k++) needed.Add((op.Inputs[k], options[best].Inputs[k]));
                if (op.Output >= 0) _graph.Tensor(op.Output).Sbp = options[best].Output;
            }
        }

        /// <summary>Coordinate descent on <see cref="TotalCost"/>: each open tensor's SBP and each op's signature in
        /// turn takes the option that lowers the total most, until a sweep changes nothing.</summary>
        private void Improve()
        {
            double current = TotalCost();
            for (int sweep = 0; sweep < MaxSweeps; sweep++)
            {
                bool changed = false;
                foreach (var t in _free)
                {
                    Sbp keep = t.Sbp;
                    foreach (var option in SourceOptions(t))
                    {
                        t.Sbp = option;
                        double cost = TotalCost();
                        if (cost < current - 1e-6) { current = cost; keep = option; changed = true; }
                    }
                    t.Sbp = keep;
                }
                foreach (var op in _ops)
                {
                    int keep = _choice[op.Id];
                    for (int i = 0; i < Options(op).Count; i++)
                    {
                        _choice[op.Id] = i;
                        double cost = TotalCost();
                        if (cost < current - 1e-6) { current = cost; keep = i; changed = true; }
                    }
                    _choice[op.Id] = keep;
                }
                if (!changed) break;
            }
            TotalCost();
        }

        /// <summary>Propagates the current choices to every tensor and prices them.</summary>
        private double TotalCost()
        {
            double cost = 0;
            var needed = new HashSet<(int, Sbp)>();
            foreach (var op in _ops)
            {
                var options = Options(op);
                if (_choice[op.Id] >= options.Count) return double.PositiveInfinity;
                var s = options[_choice[op.Id]];
                if (op.Output >= 0) _graph.Tensor(op.Output).Sbp = s.Output;
                for (int k = 0; k < op.Inputs.Length; k++) needed.Add((op.Inputs[k], s.Inputs[k]));
                cost += Replication(op, s);
            }
            if (_mode == PlanMode.Infer) needed.Add((_output, Sbp.B));
            foreach (var (tensor, sbp) in needed)
            {
                var t = _graph.Tensor(tensor);
                cost += Boxing.Cost(t.Sbp, sbp, t.Bytes, _devices);
            }
            foreach (var t in _free.Where(t => t.Sbp.IsBroadcast && t.Role != TensorRole.Weight))
                cost += (_devices - 1) * (double)t.Bytes;
            return cost;
        }

        /// <summary>Work done on every device instead of once: a broadcast result, or an update of a broadcast weight.</summary>
        private double Replication(LogicalOp op, Signature s)
        {
            bool replicated = op.Output >= 0 ? s.Output.IsBroadcast : s.Inputs.All(i => i.IsBroadcast);
            return replicated ? (_devices - 1) * OpRegistry.Get(op.Kind).Flops(_graph, op) / Boxing.FlopsPerByte : 0;
        }

        private List<Signature> Options(LogicalOp op)
        {
            // An update's one signature follows its weight's current SBP, so it is never cached.
            if (OpRegistry.Get(op.Kind).SignaturesFollowOperands) return OpRegistry.Get(op.Kind).Signatures(_graph, op).Where(s => Fits(op, s)).ToList();
            if (!_signatures.TryGetValue(op.Id, out var list))
                _signatures[op.Id] = list = OpRegistry.Get(op.Kind).Signatures(_graph, op).Where(s => Fits(op, s)).ToList();
            return list;
        }

        private IEnumerable<Sbp> SourceOptions(LogicalTensor t)
        {
            yield return Sbp.B;
            for (int axis = 0; axis < t.Shape.Rank; axis++)
                if (Fits(t.Shape, Sbp.S(axis))) yield return Sbp.S(axis);
        }

        /// <summary>A split needs at least one row per device along its axis.</summary>
        private bool Fits(LogicalOp op, Signature s)
        {
            for (int i = 0; i < op.Inputs.Length; i++)
                if (!Fits(_graph.Tensor(op.Inputs[i]).Shape, s.Inputs[i])) return false;
            return op.Output < 0 || Fits(_graph.Tensor(op.Output).Shape, s.Output);
        }

        private bool Fits(Shape shape, Sbp sbp) => !sbp.IsSplit || (sbp.Axis < shape.Rank && shape[sbp.Axis] >= _devices);

        private PlanException NoSignature(LogicalOp op)
        {
            string have = string.Join(", ", op.Inputs.Select(i => $"{_graph.Tensor(i).Name} {_graph.Tensor(i).Sbp}"));
            return new PlanException(PlanErrorKind.NoSignature, op.Subject,
                $"{op.Kind}: no SBP signature accepts {have}, and no boxing reaches one; change the Sbp of an operand.");
        }

        /// <summary>Rewrites every input whose SBP differs from the chosen signature's to read a boxed copy, one
        /// boxing op per distinct (tensor, SBP), placed just before its first consumer; op ids stay topological.</summary>
        private void InsertBoxing()
        {
            var boxed = new Dictionary<(int, Sbp), int>();
            var ordered = new List<LogicalOp>();
            var choices = _ops.ToDictionary(o => o.Id, o => Options(o)[_choice[o.Id]]);
            foreach (var op in _graph.Ops.ToList())
            {
                if (choices.TryGetValue(op.Id, out var signature))
                    for (int k = 0; k < op.Inputs.Length; k++) op.Inputs[k] = Converted(op.Inputs[k], signature.Inputs[k], boxed, ordered);
                ordered.Add(op);
            }
            _graph.Ops.Clear();
            foreach (var op in ordered)
            {
                op.Id = _graph.Ops.Count;
                _graph.Ops.Add(op);
                if (op.Output >= 0) _graph.Tensor(op.Output).Producer = op.Id;
            }
        }

        private int Converted(int tensor, Sbp needed, Dictionary<(int, Sbp), int> boxed, List<LogicalOp> ordered)
        {
            var t = _graph.Tensor(tensor);
            if (t.Sbp == needed) return tensor;
            if (boxed.TryGetValue((tensor, needed), out int existing)) return existing;
            var boxing = _graph.AddOp(OpKind.Boxing, new[] { tensor }, t.Name + "@" + needed, TensorRole.Boxed, $"{t.Name}: {t.Sbp} -> {needed}");
            boxing.From = t.Sbp;
            boxing.To = needed;
            _graph.Tensor(boxing.Output).Sbp = needed;
            ordered.Add(boxing);
            boxed[(tensor, needed)] = boxing.Output;
            return boxing.Output;
        }
    }
}
