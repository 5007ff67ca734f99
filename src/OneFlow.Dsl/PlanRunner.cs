using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl
{
    /// <summary>Runs a network's plan on its devices with the network's own weight and buffer tensors: loads them into
    /// the devices when the host (or another runner) has newer values, and lets the host read them back lazily.</summary>
    public abstract class PlanRunner : IWeightHolder, IDisposable
    {
        /// <summary>The backend session running the plan (a <c>GpuPlanSession</c> on cuda placements).</summary>
        public IPlanSession Session { get; }
        private readonly Tensor[] _weights;
        private readonly (string Name, Tensor Value)[] _named;

        /// <summary>The network's weights and buffers this runner trains, updates or reads, by field name.</summary>
        private protected IReadOnlyList<(string Name, Tensor Value)> Weights => _named;
        private readonly int[] _weightIds;
        private readonly int[] _heldVersions;
        private readonly PlanTensor[] _inputs;
        /// <summary>Per input, what the host feeds in one step (all its micro-batches).</summary>
        private readonly Planner.Model.Shape[] _stepShapes;
        /// <summary>Per input, the exclusive upper bound of its integer values (classes for labels, table rows for
        /// ids), or 0 for a float input.</summary>
        private readonly int[] _limits;

        private protected PlanRunner(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights)
        {
            Session = PlanSessions.Open(plan);
            var planWeights = plan.State.ToArray();
            _weightIds = planWeights.Select(w => w.Id).ToArray();
            _weights = planWeights.Select(w => weights.FirstOrDefault(x => x.Name == w.Name).Value
                ?? throw new ArgumentException($"The plan holds a {(w.Role == Planner.Model.TensorRole.Buffer ? "buffer" : "weight")} '{w.Name}' that this network does not have; plan it from the network's own Spec.")).ToArray();
            _heldVersions = Enumerable.Repeat(-1, _weights.Length).ToArray();
            _named = planWeights.Select((w, i) => (w.Name, _weights[i])).ToArray();
            _inputs = plan.Inputs.Select(o => plan.Tensors[o.Output]).ToArray();
            _stepShapes = _inputs.Select(plan.StepShape).ToArray();
            _limits = _inputs.Select(t => t.DType != Planner.Model.DType.I32 ? 0 : Bound(plan, t.Id)).ToArray();
        }

        /// <summary>The least bound that the ops reading <paramref name="ids"/> (or a boxed copy) put on its values
        /// (<see cref="Planner.Ops.OpDef.IntegerBounds"/>): an embedding's table rows, a loss's classes.</summary>
        private static int Bound(Plan plan, int ids)
        {
            var copies = new HashSet<int> { ids };
            foreach (var op in plan.Ops.Where(o => o.Kind == Planner.Ops.OpKind.Boxing && copies.Contains(o.Inputs[0]))) copies.Add(op.Output);
            return plan.Ops.SelectMany(o => Planner.Ops.OpRegistry.Get(o.Kind).IntegerBounds(o, o.Inputs.Select(i => plan.Tensors[i].Shape).ToArray())
                    .Where(b => copies.Contains(o.Inputs[b.Operand])).Select(b => b.Below))
                .DefaultIfEmpty(int.MaxValue).Min();
        }

        public Plan Plan => Session.Plan;

        /// <summary>What the planner decided for this runner's plan.</summary>
        public virtual string PlanReport => Planner.Plan.PlanReport.Write(Plan);

        /// <summary>This runner's plan as a Graphviz DOT graph (see <see cref="PlanGraphFile"/> to render it).</summary>
        public string PlanGraph => PlanDot.Write(Plan);

        /// <summary>Checks and sets input <paramref name="index"/> (in Forward's order; the labels last).</summary>
        private protected void Feed(int index, Tensor value, string method)
        {
            var expected = _inputs[index];
            var shape = _stepShapes[index];
            bool integers = expected.DType == Planner.Model.DType.I32;
            if (!SameShape(value, shape) || value.IsInteger != integers)
                throw new ArgumentException(
                    $"{method}: {expected.Name} must hold {Kind(integers, expected)}, shape {shape}; the tensor given holds {Kind(value.IsInteger, null)}, shape {value.ShapeText}." +
                    (integers && !value.IsInteger ? " Make it with Tensor.From(int[], ...)." : ""), expected.Name);
            if (integers) Session.Feed(expected.Id, Checked(value.IntegerData, _limits[index], expected.Name, method)); else Session.Feed(expected.Id, value.Host);
        }

        private static string Kind(bool integers, PlanTensor? input)
            => !integers ? "floats" : input == null ? "integers" : input.Role == Planner.Model.TensorRole.Label ? "integers (class ids)" : "integers (ids)";

        /// <summary>A class id or table row out of range would fail inside a device thread; refuse it here, before
        /// anything runs.</summary>
        private static int[] Checked(int[] values, int limit, string name, string method)
        {
            for (int i = 0; i < values.Length; i++)
                if ((uint)values[i] >= (uint)limit)
                    throw new ArgumentException($"{method}: {name}[{i}] is {values[i]}, but it must lie in [0, {limit}).", name);
            return values;
        }

        /// <summary>Brings the devices' weights up to date and runs one piece; a step that updates weights marks
        /// the devices as holding the newest values.</summary>
        private protected void Execute(bool updatesWeights)
        {
            for (int i = 0; i < _weights.Length; i++)
            {
                if (_heldVersions[i] == _weights[i].Version) continue;
                Session.Write(_weightIds[i], _weights[i].Host);
                _heldVersions[i] = _weights[i].Version;
            }
            Session.Run();
            if (!updatesWeights) return;
            for (int i = 0; i < _weights.Length; i++) _heldVersions[i] = _weights[i].ChangedBy(this);
        }

        void IWeightHolder.CopyOut(Tensor weight, float[] host) => Session.Read(_weightIds[Array.IndexOf(_weights, weight)], host);

        private static bool SameShape(Tensor t, Planner.Model.Shape expected)
        {
            if (t.Rank != expected.Rank) return false;
            for (int i = 0; i < t.Rank; i++) if (t.Shape[i] != expected[i]) return false;
            return true;
        }

        /// <summary>Brings the newest weights home before the device memory goes, so that nothing trained is lost.</summary>
        public void Dispose()
        {
            foreach (var w in _weights) _ = w.Host;
            Session.Dispose();
        }
    }
}
