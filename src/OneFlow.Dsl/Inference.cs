using System.Collections.Generic;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl
{
    /// <summary>Runs a network's compiled inference plan.</summary>
    public sealed class Inference : PlanRunner
    {
        public Inference(Plan plan, IReadOnlyList<(string Name, Tensor Value)> weights) : base(plan, weights) { }

        public Tensor Run(params Tensor[] inputs)
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
