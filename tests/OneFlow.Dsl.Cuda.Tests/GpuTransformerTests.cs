using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;
using OneFlow.Dsl.Runtime;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>The GPT sample's network in miniature on the GPU backend: token and position embeddings, two
    /// pre-norm blocks of causal two-head attention and a GELU MLP split over its stage, the second block a pipeline
    /// stage of its own, a label per token. Its AdamW steps with clipping give the CPU runtime's losses.</summary>
    public class GpuTransformerTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public GpuTransformerTests(GpuFixture gpu) => _gpu = gpu;

        private static NetworkSpec Transformer(string device)
        {
            string first = $"{device}:0-1", second = $"{device}:2-3";
            var weights = new List<TensorDecl> { W("tokens", null, first, 10, 8), W("positions", null, first, 3, 8), W("head", null, first, 8, 10) };
            var ops = new List<OpDecl>
            {
                Op("e", "Embedding", null, "text", "tokens"), Op("ep", "Add", null, "e", "positions"), Args(Op("x", "Reshape", null, "ep"), -1, 8),
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
                    Op(P("n"), "LayerNorm", at, x), Op(P("a"), "Mul", at, P("n"), P("gain")), Op(P("b"), "Add", at, P("a"), P("shift")),
                    Op(P("all2"), "MatMul", at, P("b"), P("qkv")), Args(Op(P("all"), "Reshape", at, P("all2")), -1, 3, 24),
                });
                foreach (var (part, start) in new[] { ("q", 0), ("k", 8), ("v", 16) })
                    ops.AddRange(new[]
                    {
                        Args(Op(P(part + "s"), "Slice", at, P("all")), 2, start, 8), Args(Op(P(part + "4"), "Reshape", at, P(part + "s")), -1, 3, 2, 4),
                        Args(Op(P(part), "Permute", at, P(part + "4")), 0, 2, 1, 3),
                    });
                ops.AddRange(new[]
                {
                    Op(P("kt"), "Transpose", at, P("k")), Op(P("s"), "MatMul", at, P("q"), P("kt")), Args(Op(P("sc"), "Scale", at, P("s")), 0.5),
                    Op(P("att"), "CausalSoftmax", at, P("sc")), Op(P("o"), "MatMul", at, P("att"), P("v")), Args(Op(P("op"), "Permute", at, P("o")), 0, 2, 1, 3),
                    Args(Op(P("h"), "Reshape", at, P("op")), -1, 8), Op(P("p"), "MatMul", at, P("h"), P("proj")), Op(P("x2"), "Add", at, x, P("p")),
                    Op(P("u"), "MatMul", at, P("x2"), P("up")), Op(P("g"), "Gelu", at, P("u")), Op(P("d"), "MatMul", at, P("g"), P("down")),
                    Op(P("y"), "Add", at, P("x2"), P("d")),
                });
                x = P("y");
            }
            ops.Add(Op("logits2", "MatMul", null, x, "head"));
            ops.Add(Args(Op("logits", "Reshape", null, "logits2"), -1, 3, 10));
            return new NetworkSpec("Transformer", 4, first, Arr(weights.ToArray()),
                Arr(new TensorDecl("text", DeclKind.Ids, Arr(3), "S(0)")), Arr(ops.ToArray()), "logits", NetworkSpec.DefaultLoss("logits"), "loss")
                { LabelDims = Arr(3) };
        }

        private static TensorDecl W(string name, string? sbp, string placement, params int[] dims)
            => new TensorDecl(name, DeclKind.Weight, Arr(dims), sbp) { Placement = placement };
        private static OpDecl Op(string output, string op, string? placement, params string[] inputs) => new OpDecl(output, op, Arr(inputs)) { Placement = placement };
        private static OpDecl Args(OpDecl op, params double[] args) => op with { Args = Arr(args) };
        private static EquatableArray<T> Arr<T>(params T[] items) where T : IEquatable<T> => new EquatableArray<T>(items);

        private static float[] Losses(IPlanSession session)
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
