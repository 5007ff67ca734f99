using System.Collections.Generic;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl
{
    /// <summary>Trains a network with its training plan: forward, backward and the optimizer's update in one step.</summary>
    public abstract class Trainer : PlanRunner
    {
        private readonly Optimizer _optimizer;
        private long _steps;

        protected Trainer(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights, Optimizer optimizer) : base(plan, weights)
            => _optimizer = optimizer;

        /// <summary>Steps taken so far; the next one is number <c>Steps + 1</c> of the learning-rate schedule.</summary>
        public long Steps => _steps;

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
