using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl
{
    /// <summary>Trains a network with its training plan: forward, backward and the optimizer's update in one step.</summary>
    public abstract class Trainer : PlanRunner
    {
        private readonly Optimizer _optimizer;
        private long _steps;

        /// <param name="compiled">True for the plan the generator built; false for one planned at run time.</param>
        protected Trainer(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights, Optimizer optimizer, bool compiled = false) : base(plan, weights)
        {
            _optimizer = optimizer;
            Compiled = compiled;
        }

        /// <summary>True when this trainer runs the plan compiled with the network; false when it was planned at run time
        /// (for another optimizer than the network declares, or another placement or spec).</summary>
        public bool Compiled { get; }

        /// <summary>What the planner decided for this trainer's plan, and whether it was compiled or planned at run time.</summary>
        public override string PlanReport => (Compiled
            ? "compiled at build time\n"
            : $"planned at run time, for {_optimizer.Rule}{(_optimizer.Clips ? " with clipping" : "")} on {Plan.Placement}: the compiled plan is for the optimizer and placement the network declares ([Network(Optimizer = ..., ClipsGradients = ...)], [Placement])\n")
            + base.PlanReport;

        /// <summary>The optimizer this trainer steps with: set its <see cref="Optimizer.LearningRate"/> between steps to
        /// change the rate; its state stays on the devices.</summary>
        public Optimizer Optimizer => _optimizer;

        /// <summary>Steps taken so far; the next one is number <c>Steps + 1</c> of the learning-rate schedule.</summary>
        public long Steps => _steps;

        /// <summary>Writes the weights, the optimizer's state (as "w1.m", "w1.v" … beside "w1") and the step count to a
        /// safetensors file, atomically; whole tensors, whatever the placement, so that any placement can resume.</summary>
        public void SaveCheckpoint(string path)
        {
            var tensors = Weights.Select(w => new Checkpoints.NamedTensor(w.Name, w.Value.Shape.ToArray(), w.Value.ToArray())).ToList();
            foreach (var state in Plan.Tensors.Where(t => t.Role == Planner.Model.TensorRole.OptimizerState))
            {
                var values = new float[state.Shape.Elements];
                Session.Read(state.Id, values);
                tensors.Add(new Checkpoints.NamedTensor(state.Name, state.Shape.ToArray(), values));
            }
            Checkpoints.SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["step"] = _steps.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        /// <summary>Resumes from <see cref="SaveCheckpoint"/>'s file: weights, optimizer state and step count, split as this
        /// trainer's plan says. A file that does not fit (names, shapes, a state this optimizer lacks) changes nothing.</summary>
        public void LoadCheckpoint(string path)
        {
            var file = Checkpoints.SafeTensors.Read(path, out var metadata).ToDictionary(t => t.Name);
            var states = Plan.Tensors.Where(t => t.Role == Planner.Model.TensorRole.OptimizerState).ToList();
            foreach (var state in states)
            {
                if (!file.TryGetValue(state.Name, out var t))
                    throw new System.IO.InvalidDataException($"{path} has no optimizer state '{state.Name}'; it was saved by another optimizer, or by LoadWeights' counterpart SaveWeights.");
                if (!t.Shape.SequenceEqual(state.Shape.ToArray()))
                    throw new System.IO.InvalidDataException($"{path}: optimizer state '{state.Name}' is [{string.Join(",", t.Shape)}], but this plan's is {state.Shape}.");
            }
            long step = metadata.TryGetValue("step", out var s) && long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : 0;
            var weightNames = new HashSet<string>(Weights.Select(w => w.Name));
            Checkpoints.Checkpoint.Load(file.Values.Where(t => weightNames.Contains(t.Name)).ToList(), Weights, path);
            foreach (var state in states) Session.Write(state.Id, file[state.Name].Values);
            _steps = step;
        }

        /// <summary>Sets input <paramref name="index"/> of the next step; the labels come after Forward's inputs.</summary>
        protected void SetInput(int index, Tensor value) => Feed(index, value, "Step");

        /// <summary>Runs the step on the inputs set and returns the mean loss over the batch.</summary>
        protected float RunStep()
        {
            _optimizer.Configure(Session, ++_steps);
            Execute(updatesWeights: true);
            return Session.ReadScalar(Plan.Output);
        }
    }
}
