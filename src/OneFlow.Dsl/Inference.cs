using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl
{
    /// <summary>Runs a network's inference plan — always evaluation: dropout keeps every unit — at whatever batch it is
    /// given: the compiled plan at its declared batch, and for any other number of rows a plan made from the network's
    /// spec the first time that number is seen (even fewer rows than devices: the planner lays them out to fit).
    /// Plans are kept; the sessions of the few batch sizes used last stay open.</summary>
    public sealed class Inference : IDisposable
    {
        private const int OpenSessions = 4;

        private readonly Plan _compiled;
        private readonly NetworkSpec? _spec;
        private readonly IReadOnlyList<(string Name, Tensor Value)> _weights;
        private readonly Dictionary<int, Plan> _plans = new Dictionary<int, Plan>();
        private readonly List<(int Rows, Batch Runner)> _open = new List<(int, Batch)>();

        /// <param name="spec">The network, to plan other batch sizes from; without it only the plan's batch runs.</param>
        public Inference(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights, NetworkSpec? spec = null)
        {
            _compiled = plan;
            _weights = weights;
            _spec = spec;
            _plans[plan.Tensors[plan.Inputs.First().Output].Shape[0]] = plan;
        }

        public Tensor Run(params Tensor[] inputs)
        {
            if (inputs.Length == 0) throw new ArgumentException("Infer: give every input of Forward.");
            int rows = inputs[0].Shape.Count > 0 ? inputs[0].Shape[0] : 0;
            foreach (var x in inputs)
                if (x.Shape.Count == 0 || x.Shape[0] != rows)
                    throw new ArgumentException($"Infer: every input needs the same number of rows (the batch), but they are {string.Join(" and ", inputs.Select(i => i.ToShapeString()))}.");
            return RunnerFor(rows).Run(inputs);
        }

        /// <summary>The plan for <paramref name="rows"/> rows: the compiled one, or one made now (and kept).</summary>
        public Plan PlanFor(int rows)
        {
            if (_plans.TryGetValue(rows, out var plan)) return plan;
            if (_spec == null) throw new ArgumentException($"Infer: this network's plan takes {_compiled.Tensors[_compiled.Inputs.First().Output].Shape[0]} rows, not {rows}.");
            return _plans[rows] = NetworkPlanner.Compile(_spec with { Batch = rows, MicroBatches = 1 }, PlanMode.Infer);
        }

        private Batch RunnerFor(int rows)
        {
            int at = _open.FindIndex(o => o.Rows == rows);
            if (at >= 0)
            {
                var found = _open[at];
                _open.RemoveAt(at);
                _open.Add(found);
                return found.Runner;
            }
            var runner = new Batch(PlanFor(rows), _weights);
            _open.Add((rows, runner));
            if (_open.Count > OpenSessions)
            {
                _open[0].Runner.Dispose();
                _open.RemoveAt(0);
            }
            return runner;
        }

        public void Dispose()
        {
            foreach (var (_, runner) in _open) runner.Dispose();
            _open.Clear();
        }

        /// <summary>One batch size's session.</summary>
        private sealed class Batch : PlanRunner
        {
            public Batch(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights) : base(plan, weights) { }

            public Tensor Run(Tensor[] inputs)
            {
                for (int i = 0; i < inputs.Length; i++) Feed(i, inputs[i], "Infer");
                Execute(updatesWeights: false);
                var output = Plan.Tensors[Plan.Output];
                var data = new float[output.Shape.Elements];
                Session.Read(output.Id, data);
                return Tensor.Wrap(data, output.Shape.ToArray());
            }
        }
    }
}
