using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Optimizers;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Reverse-mode differentiation at plan time: walks the graph backwards from the loss and appends,
    /// for each op, the ops of its gradient rule; then an SGD update per weight.</summary>
    internal sealed class Autograd : GradientBuilder
    {
        private readonly LogicalGraph _graph;
        private readonly HashSet<int> _dependsOnWeight = new HashSet<int>();
        private readonly Dictionary<int, int> _gradients = new Dictionary<int, int>();
        private readonly Dictionary<string, int> _names = new Dictionary<string, int>();
        /// <summary>The tables updated from the rows their lookup touched: ids, rows and the lookup's factor.</summary>
        private readonly Dictionary<int, (int Ids, int Rows, double Scale, bool Exchanged)> _rows = new Dictionary<int, (int, int, double, bool)>();
        private readonly bool _sparse;
        /// <summary>Where the forward op being differentiated runs: its gradient ops run there too.</summary>
        private Placement _at = null!;

        private Autograd(LogicalGraph graph, bool sparse)
        {
            _graph = graph;
            _sparse = sparse;
        }

        /// <returns>The plan's output: the loss, or with micro-batches its mean over the step.</returns>
        public static int AppendBackwardAndUpdate(LogicalGraph graph, int loss, UpdateRule rule = UpdateRule.Sgd, bool clip = false, int microBatches = 1)
        {
            // A rule with a sparse update changes a table in the rows it touched; with clipping or micro-batches the
            // gradient stays dense.
            var ad = new Autograd(graph, UpdateRules.Get(rule).SparseUpdate != null && !clip && microBatches == 1);
            ad.MarkWeightDependents();
            int forwardOps = graph.Ops.Count;
            for (int i = forwardOps - 1; i >= 0; i--)
            {
                var op = graph.Ops[i];
                if (op.Output < 0 || !ad._dependsOnWeight.Contains(op.Output)) continue;
                ad._at = op.Placement;
                if (op.Output == loss) OpRegistry.Get(op.Kind).Backward(ad, op, ad.Seed(loss));
                else if (ad._gradients.TryGetValue(op.Output, out int dy)) OpRegistry.Get(op.Kind).Backward(ad, op, dy);
            }
            foreach (var kv in ad._gradients) graph.Gradients[kv.Key] = kv.Value;
            if (microBatches > 1) ad.AccumulateOverMicroBatches(microBatches);
            ad.AppendUpdates(UpdateRules.Get(rule), clip);
            return microBatches > 1 ? ad.Mean(loss, microBatches) : loss;
        }

        /// <summary>Each weight's gradient summed over the step's micro-batches (as their mean), so that the
        /// collectives, clipping and update after it run once per step.</summary>
        private void AccumulateOverMicroBatches(int microBatches)
        {
            foreach (var w in _graph.Tensors.Where(t => t.Role == TensorRole.Weight && _gradients.ContainsKey(t.Id)).ToList())
            {
                _at = w.Placement;
                _gradients[w.Id] = Mean(_gradients[w.Id], microBatches);
            }
        }

        private int Mean(int tensor, int microBatches)
        {
            var t = _graph.Tensor(tensor);
            return _graph.AddOp(OpKind.Accumulate, new[] { tensor }, t.Name + ".mean", TensorRole.Accumulated, $"mean of {t.Name} over {microBatches} micro-batches",
                t.Placement, new AccumulateAttributes(microBatches)).Output;
        }

        /// <summary>d loss / d loss = 1, whole on every device of the loss.</summary>
        private int Seed(int loss)
        {
            var t = _graph.Tensor(loss);
            return _graph.AddOp(OpKind.Fill, new int[0], "d" + t.Name, TensorRole.Gradient, "grad of " + t.Name, t.Placement, new FillAttributes(1, t.Shape)).Output;
        }

        public override bool NeedsGradient(int tensor) => _dependsOnWeight.Contains(tensor);

        public override Shape ShapeOf(int tensor) => _graph.Tensor(tensor).Shape;

        public override int Emit(OpKind kind, int[] inputs, int of, OpAttributes? attributes = null)
        {
            // Partial gradients of one tensor are dx, dx.1, dx.2 ...: every tensor keeps a name of its own.
            string name = "d" + _graph.Tensor(of).Name;
            _names[name] = _names.TryGetValue(name, out int count) ? count + 1 : 0;
            if (_names[name] > 0) name += "." + _names[name].ToString(System.Globalization.CultureInfo.InvariantCulture);
            return _graph.AddOp(kind, inputs, name, TensorRole.Gradient, "grad of " + _graph.Tensor(of).Name, _at, attributes).Output;
        }

        /// <summary>A table split by vocabulary (declared <c>S(0)</c>) that one lookup reads gets its gradient as the
        /// rows the lookup touched, and a sparse update.</summary>
        public override bool AccumulateRows(int table, int ids, int rows, double scale, bool exchanged = false)
        {
            var t = _graph.Tensor(table);
            bool split = !t.Free && t.Sbp.Parts.Any(p => p.IsSplit && p.Axis == 0);
            if (!_sparse || !split || t.Role != TensorRole.Weight || _gradients.ContainsKey(table) || _rows.ContainsKey(table) || _graph.Consumers(table).Count() != 1)
                return false;
            _rows[table] = (ids, rows, scale, exchanged);
            return true;
        }

        public override void Accumulate(int tensor, int gradient)
        {
            _gradients[tensor] = _gradients.TryGetValue(tensor, out int previous)
                ? Emit(OpKind.Add, new[] { previous, gradient }, tensor)
                : gradient;
        }

        private void MarkWeightDependents()
        {
            foreach (var t in _graph.Tensors.Where(t => t.Role == TensorRole.Weight)) _dependsOnWeight.Add(t.Id);
            foreach (var op in _graph.Ops)
                if (op.Output >= 0 && op.Inputs.Any(_dependsOnWeight.Contains)) _dependsOnWeight.Add(op.Output);
        }

        /// <summary>An update op per weight with a gradient, and the optimizer's state tensors beside the weight.</summary>
        private void AppendUpdates(UpdateRuleDef rule, bool clip)
        {
            var weights = _graph.Tensors.Where(t => t.Role == TensorRole.Weight && _gradients.ContainsKey(t.Id)).ToList();
            int norm = clip ? SquaredNorm(weights) : -1;
            foreach (var (table, (ids, rows, scale, exchanged)) in _rows.Select(kv => (kv.Key, kv.Value)))
            {
                var w = _graph.Tensor(table);
                var operands = new List<int> { table, ids, rows };
                operands.AddRange(States(w, rule.States));
                _graph.AddOp(rule.SparseUpdate!.Value, operands.ToArray(), "", TensorRole.Gradient,
                    "sparse update of " + w.Name, w.Placement, new SparseUpdateAttributes(scale, exchanged));
            }
            foreach (var w in weights)
            {
                int grad = _gradients[w.Id];
                _graph.Tensor(grad).GradientOf = w.Id;
                var operands = new List<int> { w.Id, grad };
                operands.AddRange(States(w, rule.States));
                if (clip) operands.Add(norm);
                _graph.AddOp(rule.DenseUpdate, operands.ToArray(), "", TensorRole.Gradient, "update of " + w.Name, w.Placement, clip ? new UpdateAttributes(true) : null);
            }
        }

        /// <summary>The optimizer's state tensors of <paramref name="w"/>, laid out as it.</summary>
        private IEnumerable<int> States(LogicalTensor w, params string[] names)
        {
            foreach (string state in names)
            {
                var t = _graph.AddTensor($"{w.Name}.{state}", w.Shape, DType.F32, TensorRole.OptimizerState);
                t.Placement = w.Placement;
                t.Sbp = w.Sbp;
                t.TiedTo = w.Id;
                yield return t.Id;
            }
        }

        /// <summary>The squared norm of all gradients together: Σ over weights of Σ g², summed where the last weight lives.</summary>
        private int SquaredNorm(List<LogicalTensor> weights)
        {
            int total = -1;
            foreach (var w in weights)
            {
                int squares = _graph.AddOp(OpKind.SumSquares, new[] { _gradients[w.Id] }, "sumsq.d" + w.Name, TensorRole.Gradient, "squared norm of d" + w.Name, w.Placement).Output;
                total = total < 0 ? squares
                    : _graph.AddOp(OpKind.Add, new[] { total, squares }, "gradnorm2." + w.Name, TensorRole.Gradient, "global squared norm", w.Placement).Output;
            }
            return total;
        }
    }
}
