using BenchmarkDotNet.Attributes;
using Gpt;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>What the GPT sample's trainer costs to get its training plan at start: the plan compiled with the
    /// network (read from the text the generator embedded) against planning it at run time, as every optimizer but
    /// plain SGD did before networks declared theirs.</summary>
    public class GptStartup
    {
        private string _text = "";

        [GlobalSetup]
        public void Setup() => _text = PlanText.Write(CharGpt.TrainPlan);

        [Benchmark(Baseline = true)]
        public Plan Compiled() => PlanText.Read(_text);

        [Benchmark]
        public Plan PlannedAtStart() => NetworkPlanner.Compile(CharGpt.Spec, PlanMode.Train, update: UpdateRule.Adam, clip: true);
    }
}
