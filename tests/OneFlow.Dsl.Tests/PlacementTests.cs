using System.Linq;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Networks whose weights live on different placements train and infer exactly like one device: the
    /// activations and their gradients cross between placements as transfers.</summary>
    public class PlacementTests
    {
        private const int Steps = 20;

        [Fact]
        public void Two_pipeline_stages_train_like_one_device()
        {
            using var stages = new PipelinedMlp(seed: 7).Trainer(new Sgd(0.1f));
            using var one = new MlpDataParallel(seed: 7).Trainer(new Sgd(0.1f), "cpu:0");
            Assert.Equal(5, stages.Plan.Devices);
            Assert.Equal(2, stages.Plan.Ops.Count(o => o.Collective == Collective.Transfer));
            Agreement.SameLosses(Steps, s =>
            {
                var (x, y) = (Data.Floats(100 + s, 64, 784), Data.Labels(200 + s, 64, 10));
                return (one.Step(x, y), stages.Step(x, y));
            });
        }

        [Fact]
        public void A_mesh_stage_feeding_a_list_stage_trains_like_one_device()
        {
            using var stages = new MeshThenPair(seed: 9).Trainer(new Sgd(0.1f));
            using var one = new MeshMlp(seed: 9).Trainer(new Sgd(0.1f), "cpu:0");
            Assert.Equal(6, stages.Plan.Devices);
            Assert.Contains(stages.Plan.Placements, p => p.MeshRank == 2);
            Agreement.SameLosses(Steps, s =>
            {
                var (x, y) = (Data.Floats(300 + s, 8, 12), Data.Labels(400 + s, 8, 5));
                return (one.Step(x, y), stages.Step(x, y));
            });
        }

        [Fact]
        public void Inference_across_stages_gives_the_one_device_logits()
        {
            var x = Data.Floats(5, 64, 784);
            var staged = new PipelinedMlp(seed: 3).Infer(x).ToArray();
            var one = new MlpDataParallel(seed: 3).Infer(x).ToArray();
            Assert.Equal(one.Length, staged.Length);
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], staged[i], 4);
        }

        [Fact]
        public void The_report_names_each_transfer_and_both_placements()
        {
            Assert.Contains("plan on cpu:0-1 + cpu:2-4 (5 devices)", PipelinedMlp.PlanReport);
            Assert.Contains("transfer h [64,512]: S(0) on cpu:0-1 -> ", PipelinedMlp.PlanReport);
            Assert.Contains("transfer dh [64,512]: ", PipelinedMlp.PlanReport);
        }
    }
}
