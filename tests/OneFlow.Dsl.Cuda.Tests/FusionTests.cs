using System;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Fusion changes how a step runs, never what it computes: each sample network trains the same steps with
    /// its elementwise chains fused and as written, on the CPU runtime and on the GPU backend (the simulator here), and
    /// the losses and the weights after them agree to 1e-6.</summary>
    public class FusionTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public FusionTests(GpuFixture gpu) => _gpu = gpu;

        /// <summary>The samples as they run on CPUs (their own placements: the GPT pipelined with two micro-batches) and as
        /// their GPU runs place them.</summary>
        private static NetworkSpec Sample(string sample, bool gpu) => sample switch
        {
            "Mnist MLP" => gpu ? Mlp.Spec.OnDeviceType("cuda") with { Placement = "cuda:0" } : Mlp.Spec,
            "Cnn" => gpu ? ConvNet.Spec.OnDeviceType("cuda") : ConvNet.Spec,
            _ => gpu ? Gpt.CharGpt.Spec.OnDeviceType("cuda") with { MicroBatches = 1 } : Gpt.CharGpt.Spec,
        };

        [Theory]
        [InlineData("Mnist MLP", false)]
        [InlineData("Cnn", false)]
        [InlineData("GPT", false)]
        [InlineData("Mnist MLP", true)]
        [InlineData("Cnn", true)]
        [InlineData("GPT", true)]
        public void A_fused_plan_trains_as_the_unfused_one(string sample, bool gpu)
        {
            var spec = Sample(sample, gpu);
            var fused = NetworkPlanner.Compile(spec, PlanMode.Train);
            var unfused = NetworkPlanner.Compile(spec, PlanMode.Train, fuse: false);
            Assert.Contains(fused.Ops, o => o.Kind == OpKind.Fused);
            Assert.DoesNotContain(unfused.Ops, o => o.Kind == OpKind.Fused);
            Assert.True(fused.Actors.Count < unfused.Actors.Count);

            var (fusedLosses, fusedWeights) = Train(fused, gpu);
            var (losses, weights) = Train(unfused, gpu);
            for (int s = 0; s < losses.Length; s++) Assert.True(Close(fusedLosses[s], losses[s]), $"step {s}: loss {fusedLosses[s]} fused, {losses[s]} unfused");
            foreach (var w in weights.Keys)
                for (int i = 0; i < weights[w].Length; i++)
                    Assert.True(Close(fusedWeights[w][i], weights[w][i]), $"{w}[{i}]: {fusedWeights[w][i]} fused, {weights[w][i]} unfused");
        }

        private static bool Close(float a, float b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));

        /// <summary>Two steps (three on the CPU) from the same random weights and inputs; the losses and every weight after them.</summary>
        private (float[] Losses, System.Collections.Generic.Dictionary<string, float[]> Weights) Train(Plan plan, bool gpu)
        {
            using IPlanSession session = gpu ? new GpuPlanSession(plan, _gpu.Gpu, _gpu.Kernels) : new PlanSession(plan);
            var random = new Random(3);
            foreach (var w in plan.Weights)
                session.Write(w.Id, Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray());
            var losses = new float[gpu ? 2 : 3];
            for (int step = 0; step < losses.Length; step++)
            {
                session.Optimizer.Step = step + 1;
                session.LearningRate = 0.05f;
                foreach (var input in plan.Inputs.Select(o => plan.Tensors[o.Output]))
                {
                    int n = (int)plan.StepShape(input).Elements;
                    session.Feed(input.Id, input.DType == DType.F32
                        ? Enumerable.Range(0, n).Select(i => (float)Math.Sin(i * 0.37 + step)).ToArray()
                        : Enumerable.Range(0, n).Select(i => (i * 7 + step) % 5).ToArray());
                }
                session.Run();
                losses[step] = session.ReadScalar(plan.Output);
            }
            var weights = plan.Weights.ToDictionary(w => w.Name, w =>
            {
                var values = new float[w.Shape.Elements];
                session.Read(w.Id, values);
                return values;
            });
            return (losses, weights);
        }
    }
}
