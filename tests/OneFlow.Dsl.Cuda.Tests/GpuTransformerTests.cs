using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;
using Xunit;
using static OneFlow.Dsl.Cuda.Tests.SpecParts;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>The GPT sample's network in miniature on the GPU backend: token and position embeddings, two
    /// pre-norm blocks of causal two-head attention and a GELU MLP split over its stage, the second block a pipeline
    /// stage of its own, a label per token. Its AdamW steps with clipping give the CPU runtime's losses.</summary>
    public class GpuTransformerTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public GpuTransformerTests(GpuFixture gpu) => _gpu = gpu;

        internal static NetworkSpec Transformer(string device)
        {
            string first = $"{device}:0-1", second = $"{device}:2-3";
            var weights = new List<TensorDecl> { W("tokens", null, first, 10, 8), W("positions", null, first, 3, 8), W("head", null, first, 8, 10) };
            var ops = new List<OpDecl>
            {
                Op("e", "Embedding", "text", "tokens"), Op("ep", "Add", "e", "positions"), Op("x", "Reshape", "ep").Args(-1, 8),
            };
            string x = "x";
            foreach (var (block, at) in new[] { ("b0", first), ("b1", second) })
            {
                weights.AddRange(new[]
                {
                    W($"{block}.gain", null, at, 8), W($"{block}.shift", null, at, 8), W($"{block}.qkv", null, at, 8, 24),
                    W($"{block}.proj", null, at, 8, 8), W($"{block}.up", "S(1)", at, 8, 16), W($"{block}.down", "S(0)", at, 16, 8),
                });
                string P(string name) => $"{block}.{name}";
                ops.AddRange(new[]
                {
                    Op(P("n"), "LayerNorm", x).At(at), Op(P("a"), "Mul", P("n"), P("gain")).At(at), Op(P("b"), "Add", P("a"), P("shift")).At(at),
                    Op(P("all2"), "MatMul", P("b"), P("qkv")).At(at), Op(P("all"), "Reshape", P("all2")).At(at).Args(-1, 3, 24),
                });
                foreach (var (part, start) in new[] { ("q", 0), ("k", 8), ("v", 16) })
                    ops.AddRange(new[]
                    {
                        Op(P(part + "s"), "Slice", P("all")).At(at).Args(2, start, 8), Op(P(part + "4"), "Reshape", P(part + "s")).At(at).Args(-1, 3, 2, 4),
                        Op(P(part), "Permute", P(part + "4")).At(at).Args(0, 2, 1, 3),
                    });
                ops.AddRange(new[]
                {
                    Op(P("kt"), "Transpose", P("k")).At(at), Op(P("s"), "MatMul", P("q"), P("kt")).At(at), Op(P("sc"), "Scale", P("s")).At(at).Args(0.5),
                    Op(P("att"), "CausalSoftmax", P("sc")).At(at), Op(P("o"), "MatMul", P("att"), P("v")).At(at), Op(P("op"), "Permute", P("o")).At(at).Args(0, 2, 1, 3),
                    Op(P("h"), "Reshape", P("op")).At(at).Args(-1, 8), Op(P("p"), "MatMul", P("h"), P("proj")).At(at), Op(P("x2"), "Add", x, P("p")).At(at),
                    Op(P("u"), "MatMul", P("x2"), P("up")).At(at), Op(P("g"), "Gelu", P("u")).At(at), Op(P("d"), "MatMul", P("g"), P("down")).At(at),
                    Op(P("y"), "Add", P("x2"), P("d")).At(at),
                });
                x = P("y");
            }
            ops.Add(Op("logits2", "MatMul", x, "head"));
            ops.Add(Op("logits", "Reshape", "logits2").Args(-1, 3, 10));
            return new NetworkSpec("Transformer", 4, first, Arr(weights.ToArray()),
                Arr(new TensorDecl("text", DeclKind.Ids, Arr(3), "S(0)")), Arr(ops.ToArray()), "logits", NetworkSpec.DefaultLoss("logits"), "loss")
                { LabelDims = Arr(3) };
        }


        internal static float[] Losses(IPlanSession session)
        {
            var plan = session.Plan;
            session.LearningRate = 0.01f;
            session.Optimizer.MaxGradNorm = 1f;
            var random = new Random(3);
            foreach (var w in plan.Weights)
                session.Write(w.Id, Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
            int text = plan.Tensors.Single(t => t.Name == "text").Id, labels = plan.Tensors.Single(t => t.Name == "labels").Id;
            var losses = new float[4];
            for (int step = 0; step < losses.Length; step++)
            {
                session.Optimizer.Step = step + 1;
                session.Feed(text, Enumerable.Range(0, 12).Select(i => (i * 7 + step) % 10).ToArray());
                session.Feed(labels, Enumerable.Range(0, 12).Select(i => (i * 3 + 1) % 10).ToArray());
                session.Run();
                losses[step] = session.ReadScalar(plan.Output);
            }
            return losses;
        }

        [Fact]
        public void A_pipelined_tensor_parallel_transformer_on_the_gpu_backend_gives_the_cpu_losses()
        {
            var cpuPlan = NetworkPlanner.Compile(Transformer("cpu"), PlanMode.Train, update: UpdateRule.Adam, clip: true);
            var gpuPlan = NetworkPlanner.Compile(Transformer("cpu").OnDeviceType("cuda"), PlanMode.Train, update: UpdateRule.Adam, clip: true);
            Assert.Equal(4, gpuPlan.Devices);
            float[] cpu, gpu;
            using (var session = new PlanSession(cpuPlan)) cpu = Losses(session);
            using (var session = new GpuPlanSession(gpuPlan, _gpu.Gpu, _gpu.Kernels)) gpu = Losses(session);
            Assert.True(cpu[^1] < cpu[0], "the loss should fall");
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {gpu[i]}");
        }
    }
}
