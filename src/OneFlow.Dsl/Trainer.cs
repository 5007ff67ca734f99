using System.Collections.Generic;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl
{
    /// <summary>Trains a network with its compiled training plan: forward, backward and SGD update in one step.</summary>
    public abstract class Trainer : PlanRunner
    {
        private readonly Sgd _optimizer;

        protected Trainer(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights, Sgd optimizer) : base(plan, weights)
            => _optimizer = optimizer;

        /// <summary>Sets input <paramref name="index"/> of the next step; the labels come after Forward's inputs.</summary>
        protected void SetInput(int index, Tensor value) => Feed(index, value, "Step");

        /// <summary>Runs the step on the inputs set and returns the mean loss over the batch.</summary>
        protected float RunStep()
        {
            Session.LearningRate = _optimizer.LearningRate;
            Execute(updatesWeights: true);
            return Session.ReadScalar(Plan.Output);
        }
    }
}
