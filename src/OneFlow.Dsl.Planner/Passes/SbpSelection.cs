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
    internal sealed class SbpSelection
    {
        private const int MaxSweeps = 8;

        /// <summary>An op's signature on a mesh: one 1-D signature per mesh axis, combined.</summary>
        private sealed class NdSignature
        {
            public NdSbp[] Inputs = new NdSbp[0];
            public NdSbp Output;
        }

        private readonly LogicalGraph _graph;
        private readonly int _output;
        private readonly PlanMode _mode;
        private readonly List<LogicalOp> _ops;
        private readonly Dictionary<int, List<NdSignature>> _signatures = new Dictionary<int, List<NdSignature>>();
        private readonly Dictionary<int, int> _choice = new Dictionary<int, int>();
        private readonly List<LogicalTensor> _free;
        /// <summary>Optimizer states: always laid out as their weight, whatever it becomes.</summary>
        private readonly List<LogicalTensor> _tied;
        // Memos: the descent prices thousands of assignments that differ in one choice.
        private readonly Dictionary<string, List<NdSignature>> _followed = new Dictionary<string, List<NdSignature>>();
        private readonly Dictionary<(int, NdSbp, NdSbp, Placement), double> _costs = new Dictionary<(int, NdSbp, NdSbp, Placement), double>();
        private readonly HashSet<(int, NdSbp, Placement)> _needed = new HashSet<(int, NdSbp, Placement)>();
        private readonly Dictionary<int, double> _flops = new Dictionary<int, double>();
        private readonly Dictionary<int, (NdSbp[] Operands, List<NdSignature> List)> _lastFollowed = new Dictionary<int, (NdSbp[], List<NdSignature>)>();

        private SbpSelection(LogicalGraph graph, int output, PlanMode mode)
        {
            _graph = graph;
            _output = output;
            _mode = mode;
            _ops = graph.Ops.Where(o => o.Kind != OpKind.Input).ToList();
            _free = graph.Tensors.Where(t => t.Free).ToList();
            _tied = graph.Tensors.Where(t => t.TiedTo >= 0).ToList();
        }

        public static void Run(LogicalGraph graph, int output, PlanMode mode)
        {
            var placements = graph.Ops.Select(o => o.Placement).Concat(graph.Tensors.Select(t => t.Placement)).Distinct().ToList();
            if (placements.Count == 1 && placements[0].Count == 1)
            {
                foreach (var t in graph.Tensors) t.Sbp = NdSbp.Broadcast(placements[0].MeshRank);
                return;
            }
            var selection = new SbpSelection(graph, output, mode);
            selection.Greedy();
            selection.Improve();
            selection.InsertBoxing();
        }

        /// <summary>Op by op, the signature whose inputs cost least to provide, counting conversions already needed.</summary>
        private void Greedy()
        {
            FollowWeights();
            var needed = new HashSet<(int, NdSbp, Placement)>();
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
                        if (!needed.Contains((t.Id, options[i].Inputs[k], op.Placement))) cost += Conversion(t, options[i].Inputs[k], op.Placement);
                    }
                    if (cost < bestCost) { best = i; bestCost = cost; }
                }
                if (best < 0) throw NoSignature(op);
                _choice[op.Id] = best;
                for (int k = 0; k < op.Inputs.Length; k++) needed.Add((op.Inputs[k], options[best].Inputs[k], op.Placement));
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
                    NdSbp keep = t.Sbp;
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
            FollowWeights();
            double cost = 0;
            var needed = _needed;
            needed.Clear();
            foreach (var op in _ops)
            {
                var options = Options(op);
                if (_choice[op.Id] >= options.Count) return double.PositiveInfinity;
                var s = options[_choice[op.Id]];
                if (op.Output >= 0) _graph.Tensor(op.Output).Sbp = s.Output;
                for (int k = 0; k < op.Inputs.Length; k++) needed.Add((op.Inputs[k], s.Inputs[k], op.Placement));
                cost += Replication(op, s);
            }
            if (_mode == PlanMode.Infer)
            {
                var output = _graph.Tensor(_output);
                needed.Add((_output, NdSbp.Broadcast(output.Placement.MeshRank), output.Placement));
            }
            foreach (var (tensor, sbp, at) in needed) cost += Conversion(_graph.Tensor(tensor), sbp, at);
            foreach (var t in _free.Where(t => !t.IsState))
                cost += (Copies(t.Sbp, t.Placement) - 1) * (double)t.Bytes;
            return cost;
        }

        private double Conversion(LogicalTensor t, NdSbp to, Placement at)
        {
            bool here = ReferenceEquals(t.Placement, at) || t.Placement.Equals(at);
            if (here && t.Sbp == to) return 0;
            var key = (t.Id, t.Sbp, to, at);
            if (!_costs.TryGetValue(key, out double cost)) _costs[key] = cost = Collectives.Cost(t.Sbp, t.Placement, to, at, t.Bytes);
            return cost;
        }

        /// <summary>Work done more than once: every device in a broadcast group computes the same part (a broadcast
        /// result, or an update of a broadcast weight).</summary>
        private double Replication(LogicalOp op, NdSignature s)
        {
            int copies;
            if (op.Output >= 0) copies = Copies(s.Output, op.Placement);
            else
            {
                copies = int.MaxValue;
                foreach (var input in s.Inputs) copies = System.Math.Min(copies, Copies(input, op.Placement));
            }
            if (copies <= 1) return 0;
            if (!_flops.TryGetValue(op.Id, out double flops)) _flops[op.Id] = flops = OpRegistry.Get(op.Kind).Flops(_graph, op);
            return (copies - 1) * flops / Collectives.FlopsPerByte;
        }

        /// <summary>How many devices hold each distinct part: the product of the broadcast mesh axes' sizes.</summary>
        private static int Copies(NdSbp sbp, Placement placement) => Collectives.Copies(sbp, placement);

        /// <summary>Every combination of one 1-D signature per mesh axis whose parts all fit.</summary>
        private List<NdSignature> Options(LogicalOp op)
        {
            // An update's one signature follows its weight's current SBP, so it is never cached.
            bool follows = OpRegistry.Get(op.Kind).SignaturesFollowOperands;
            if (!follows && _signatures.TryGetValue(op.Id, out var cached)) return cached;
            if (follows && _lastFollowed.TryGetValue(op.Id, out var last) && SameOperands(op, last.Operands)) return last.List;
            string? key = follows ? op.Id + "|" + string.Join("|", op.Inputs.Select(i => _graph.Tensor(i).Sbp.ToString())) : null;
            if (key != null && _followed.TryGetValue(key, out var followed))
            {
                _lastFollowed[op.Id] = (op.Inputs.Select(i => _graph.Tensor(i).Sbp).ToArray(), followed);
                return followed;
            }
            var partial = new List<List<Signature>>();
            var placement = op.Placement;
            int devices = placement.MeshRank == 1 ? placement.Count : 0;
            for (int k = 0; k < placement.MeshRank; k++)
                partial.Add(OpRegistry.Get(op.Kind).Signatures(new SignatureContext(_graph, op, k, devices)).ToList());
            IEnumerable<Signature[]> products = new[] { new Signature[0] };
            foreach (var axis in partial) products = products.SelectMany(p => axis.Select(s => p.Concat(new[] { s }).ToArray())).ToList();
            var list = products.Select(p => new NdSignature
            {
                Inputs = Enumerable.Range(0, op.Inputs.Length).Select(i => new NdSbp(p.Select(s => s.Inputs[i]).ToArray())).ToArray(),
                Output = new NdSbp(p.Select(s => s.Output).ToArray()),
            }).Where(s => Fits(op, s)).ToList();
            // On one device every layout is the whole tensor: only the all-broadcast signature means anything.
            if (placement.Count == 1 && list.Any(Replicated)) list = list.Where(Replicated).Take(1).ToList();
            if (key == null) _signatures[op.Id] = list;
            else
            {
                _followed[key] = list;
                _lastFollowed[op.Id] = (op.Inputs.Select(i => _graph.Tensor(i).Sbp).ToArray(), list);
            }
            return list;
        }

        private bool SameOperands(LogicalOp op, NdSbp[] operands)
        {
            for (int i = 0; i < operands.Length; i++) if (_graph.Tensor(op.Inputs[i]).Sbp != operands[i]) return false;
            return true;
        }

        private static bool Replicated(NdSignature s) => s.Output.AllBroadcast && s.Inputs.All(i => i.AllBroadcast);

        private IEnumerable<NdSbp> SourceOptions(LogicalTensor t)
        {
            var placement = t.Placement;
            if (placement.Count == 1) return new[] { NdSbp.Broadcast(placement.MeshRank) };
            var choices = new List<Sbp> { Sbp.B };
            for (int axis = 0; axis < t.Shape.Rank; axis++) choices.Add(Sbp.S(axis));
            IEnumerable<Sbp[]> combos = new[] { new Sbp[0] };
            for (int k = 0; k < placement.MeshRank; k++) combos = combos.SelectMany(c => choices.Select(x => c.Concat(new[] { x }).ToArray())).ToList();
            return combos.Select(c => new NdSbp(c)).Where(s => GraphBuilder.Fits(t.Shape, s, placement));
        }

        /// <summary>Every device's part keeps at least one element along every axis.</summary>
        private bool Fits(LogicalOp op, NdSignature s)
        {
            for (int i = 0; i < op.Inputs.Length; i++)
                if (!GraphBuilder.Fits(_graph.Tensor(op.Inputs[i]).Shape, s.Inputs[i], op.Placement)) return false;
            return op.Output < 0 || GraphBuilder.Fits(_graph.Tensor(op.Output).Shape, s.Output, op.Placement);
        }

        private PlanException NoSignature(LogicalOp op)
        {
            string have = string.Join(", ", op.Inputs.Select(i => $"{_graph.Tensor(i).Name} {_graph.Tensor(i).Sbp}"));
            return new PlanException(PlanErrorKind.NoSignature, op.Subject,
                $"{op.Kind}: no SBP signature accepts {have}, and no boxing reaches one; change the Sbp of an operand.");
        }

        private void FollowWeights()
        {
            foreach (var t in _tied) t.Sbp = _graph.Tensor(t.TiedTo).Sbp;
        }

        /// <summary>Rewrites every input whose SBP differs from the chosen signature's to read a boxed copy, one
        /// boxing op per distinct (tensor, SBP), placed just before its first consumer; op ids stay topological.</summary>
        private void InsertBoxing()
        {
            var boxed = new Dictionary<(int, NdSbp, Placement), int>();
            var ordered = new List<LogicalOp>();
            var choices = _ops.ToDictionary(o => o.Id, o => Options(o)[_choice[o.Id]]);
            foreach (var op in _graph.Ops.ToList())
            {
                if (choices.TryGetValue(op.Id, out var signature))
                    for (int k = 0; k < op.Inputs.Length; k++) op.Inputs[k] = Converted(op.Inputs[k], signature.Inputs[k], op, boxed, ordered);
                ordered.Add(op);
            }
            _graph.Reorder(ordered);
        }

        private int Converted(int tensor, NdSbp needed, LogicalOp consumer, Dictionary<(int, NdSbp, Placement), int> boxed, List<LogicalOp> ordered)
        {
            var at = consumer.Placement;
            var t = _graph.Tensor(tensor);
            bool here = t.Placement.Equals(at);
            if (here && t.Sbp == needed) return tensor;
            if (boxed.TryGetValue((tensor, needed, at), out int existing)) return existing;
            string name = here ? t.Name + "@" + needed : $"{t.Name}@{needed}@{at}";
            string origin = here ? $"{t.Name}: {t.Sbp} -> {needed}" : $"{t.Name}: {t.Sbp} on {t.Placement} -> {needed} on {at}";
            var boxing = _graph.AddOp(OpKind.Boxing, new[] { tensor }, name, TensorRole.Boxed, origin, at, new BoxingAttributes(t.Sbp, needed));
            boxing.Module = consumer.Module;
            _graph.Tensor(boxing.Output).Sbp = needed;
            ordered.Add(boxing);
            boxed[(tensor, needed, at)] = boxing.Output;
            return boxing.Output;
        }
    }
}
