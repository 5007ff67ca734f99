using System;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;
using Xunit;
using static OneFlow.Dsl.Cuda.Tests.SpecParts;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Whole plans on the GPU backend (the simulator here, the GPU on the GPU machine) against the CPU
    /// runtime: the same losses step by step, on one device and on several devices as streams, with every kind of
    /// boxing and a transfer between placements.</summary>
    public class GpuPlanSessionTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;

        public GpuPlanSessionTests(GpuFixture gpu) => _gpu = gpu;

        internal static NetworkSpec Mlp(string placement, string? w1 = null, string? w2 = null, string? second = null)
            => new NetworkSpec("Mlp", 8, placement,
                Arr(W("w1", w1, null, 12, 16), W("b1", null, null, 16), W("w2", w2, second, 16, 5), W("b2", null, second, 5)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(12), null)),
                Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Gelu", "t1"),
                    Op("t2", "MatMul", "h", "w2"), Op("y", "Add", "t2", "b2")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");


        internal static float[] Losses(IPlanSession session) => Losses(session, _ => 0.3f);

        /// <param name="rate">The learning rate of each step.</param>
        internal static float[] Losses(IPlanSession session, Func<int, float> rate)
        {
            var plan = session.Plan;
            var random = new Random(5);
            foreach (var w in plan.Weights)
                session.Write(w.Id, Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
            int x = plan.Tensors.Single(t => t.Name == "x").Id, labels = plan.Tensors.Single(t => t.Name == "labels").Id;
            var losses = new float[5];
            for (int step = 0; step < losses.Length; step++)
            {
                session.Optimizer.Step = step + 1;
                session.LearningRate = rate(step);
                session.Feed(x, Enumerable.Range(0, (int)plan.Tensors[x].Shape.Elements).Select(i => (float)Math.Sin(i * 0.37 + step)).ToArray());
                session.Feed(labels, Enumerable.Range(0, (int)plan.Tensors[labels].Shape.Elements).Select(i => (i + step) % 5).ToArray());
                session.Run();
                losses[step] = session.ReadScalar(plan.Output);
            }
            return losses;
        }

        [Theory]
        [InlineData("cuda:0", null, null, null)]
        [InlineData("cuda:0-3", null, null, null)]
        [InlineData("cuda:0-3", "S(1)", "S(0)", null)]
        [InlineData("2x2:cuda", "B,S(1)", "B,S(0)", null)]
        [InlineData("cuda:0-1", null, "S(1)", "cuda:2-4")]
        public void Training_on_the_gpu_backend_gives_the_cpu_losses(string placement, string? w1, string? w2, string? second)
        {
            var spec = Mlp(placement, w1, w2, second);
            var gpuPlan = NetworkPlanner.Compile(spec, PlanMode.Train);
            var cpuSpec = Mlp(placement.Replace("cuda", "cpu"), w1, w2, second?.Replace("cuda", "cpu"));
            float[] cpu;
            using (var session = new PlanSession(NetworkPlanner.Compile(cpuSpec, PlanMode.Train))) cpu = Losses(session);
            float[] gpu;
            using (var session = new GpuPlanSession(gpuPlan, _gpu.Gpu, _gpu.Kernels)) gpu = Losses(session);
            Assert.True(cpu[^1] < cpu[0], "the loss should fall");
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {gpu[i]}");
        }

        /// <summary>The learning rate the kernels read is the step's (a schedule's), kept on the device rather than fixed
        /// in their arguments: a rate changed every step trains as on the CPU.</summary>
        [Fact]
        public void A_rate_changed_every_step_trains_as_on_the_cpu()
        {
            static float Rate(int step) => 0.4f / (step + 1);
            float[] cpu, gpu, constant;
            using (var session = new PlanSession(NetworkPlanner.Compile(Mlp("cpu:0"), PlanMode.Train))) cpu = Losses(session, Rate);
            using (var session = new GpuPlanSession(NetworkPlanner.Compile(Mlp("cuda:0"), PlanMode.Train), _gpu.Gpu, _gpu.Kernels)) gpu = Losses(session, Rate);
            using (var session = new GpuPlanSession(NetworkPlanner.Compile(Mlp("cuda:0"), PlanMode.Train), _gpu.Gpu, _gpu.Kernels)) constant = Losses(session, _ => Rate(0));
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {gpu[i]}");
            Assert.True(Math.Abs(gpu[^1] - constant[^1]) > 1e-3, $"the rate's change should show: {gpu[^1]} against {constant[^1]} at a constant rate");
        }

        /// <summary>A GPU plan spread over processes is refused when its session opens, saying what runs instead (it ran the
        /// whole plan in every process, with no communication between them).</summary>
        [Fact]
        public void A_gpu_plan_over_several_processes_is_refused_with_what_works()
        {
            var plan = NetworkPlanner.Compile(Mlp("2/cuda:0-1"), PlanMode.Train);
            var e = Assert.Throws<NotSupportedException>(() => new GpuPlanSession(plan, _gpu.Gpu, _gpu.Kernels));
            Assert.Contains("runs a plan in one process, but 2/cuda:0-1 spreads it over 2", e.Message);
            Assert.Contains("\"4/cpu:0-3\", --mpi", e.Message);
        }

        /// <summary>The counts a GPU --bench prints are counted where they happen: a batched product is one strided-batched
        /// call however many matrices it has, and the host waits for the GPU once to end a run and once per read.</summary>
        [Fact]
        public void Launches_and_host_synchronisations_are_counted_where_they_happen()
        {
            long Launches(int batch, out int synchronisations)
            {
                var spec = new NetworkSpec("Gram", batch, "cuda:0", EquatableArray<TensorDecl>.Empty,
                    Arr(new TensorDecl("x", DeclKind.Input, Arr(3, 4), null)),
                    Arr(new OpDecl("t", "Transpose", Arr("x")), new OpDecl("g", "MatMul", Arr("x", "t"))), "g", NetworkSpec.DefaultLoss("g"), "loss");
                var plan = NetworkPlanner.Compile(spec, PlanMode.Infer);
                using var session = new GpuPlanSession(plan, _gpu.Gpu, _gpu.Kernels);
                session.Feed(plan.Ops[0].Output, new float[batch * 12]);
                session.Run();
                session.Read(plan.Output, new float[batch * 9]);
                synchronisations = session.HostSynchronizationsPerStep;
                return session.LaunchesPerStep;
            }
            long two = Launches(2, out int syncTwo), five = Launches(5, out _);
            Assert.Equal(two, five);
            Assert.Equal(2, syncTwo);
        }

        /// <summary>A convolution with batch norm (whose statistics are reduced across devices under data parallelism)
        /// and a max pool, each op on its GPU kernel and the workspaces the plan lays out.</summary>
        internal static NetworkSpec Cnn(string placement, string? conv = null, string? input = null)
            => new NetworkSpec("Cnn", 8, placement,
                Arr(W("c", conv, null, 4, 3, 3, 3), W("g", null, null, 4), W("b", null, null, 4),
                    new TensorDecl("m", DeclKind.Buffer, Arr(4), null), new TensorDecl("v", DeclKind.Buffer, Arr(4), null), W("fc", null, null, 36, 5)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(3, 6, 6), input)),
                Arr(Op("h0", "Conv2d", "x", "c").Args(1, 1, 1, 1), Op("h1", "BatchNorm2d", "h0", "g", "b", "m", "v").Args(0.1, 1e-5), Op("h2", "Relu", "h1"),
                    Op("h3", "MaxPool2d", "h2").Args(2, 2), Op("h4", "Flatten", "h3"), Op("y", "MatMul", "h4", "fc")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");

        [Theory]
        [InlineData("cuda:0", null, null)]
        [InlineData("cuda:0-3", null, "S(0)")]
        [InlineData("cuda:0-1", "S(0)", "B")]
        public void A_convolutional_network_trains_on_the_gpu_backend_with_the_cpu_losses(string placement, string? conv, string? input)
        {
            float[] cpu, gpu;
            using (var session = new PlanSession(NetworkPlanner.Compile(Cnn(placement.Replace("cuda", "cpu"), conv, input), PlanMode.Train))) cpu = Losses(session);
            using (var session = new GpuPlanSession(NetworkPlanner.Compile(Cnn(placement, conv, input), PlanMode.Train), _gpu.Gpu, _gpu.Kernels)) gpu = Losses(session);
            Assert.True(cpu[^1] < cpu[0], "the loss should fall");
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {gpu[i]}");
        }

        /// <summary>Every boxing transition and transfers between placements, as gathers on the GPU: the tensor
        /// read back is the one fed.</summary>
        [Theory]
        [InlineData("S(0)", "cuda:0-3", "S(1)", "cuda:0-3")]
        [InlineData("S(1)", "cuda:0-3", "B", "cuda:0-3")]
        [InlineData("B", "cuda:0-2", "S(0)", "cuda:0-2")]
        [InlineData("P", "cuda:0-3", "B", "cuda:0-3")]
        [InlineData("P", "cuda:0-3", "S(1)", "cuda:0-3")]
        [InlineData("S(0)", "cuda:0-1", "S(1)", "cuda:2-4")]
        [InlineData("P", "cuda:0-1", "P", "cuda:1-3")]
        [InlineData("S(0),S(1)", "2x2:cuda", "B", "cuda:4-5")]
        public void Resharding_on_the_gpu_returns_the_tensor(string from, string fromPlacement, string to, string toPlacement)
        {
            Placement a = Placement.Parse(fromPlacement), b = Placement.Parse(toPlacement);
            NdSbp source = NdSbp.Parse(from), target = NdSbp.Parse(to);
            var split = new NdSbp(Enumerable.Range(0, a.MeshRank).Select(k => Sbp.S(k % 2)).ToArray());
            var layouts = source.Parts.Any(p => p.IsPartial) ? new[] { (split, a), (source, a), (target, b) } : new[] { (source, a), (target, b) };
            var plan = NetworkPlanner.Reshard(new Shape(10, 6), layouts);
            var x = Enumerable.Range(0, 60).Select(i => (float)Math.Cos(i * 0.3)).ToArray();
            var y = new float[60];
            using var session = new GpuPlanSession(plan, _gpu.Gpu, _gpu.Kernels);
            session.Feed(plan.Ops[0].Output, x);
            session.Run();
            session.Read(plan.Output, y);
            for (int i = 0; i < 60; i++) Assert.Equal(x[i], y[i], 6);
        }

        /// <summary>Adam with clipping by the global norm: the states and the norm's all-reduce on the GPU backend.</summary>
        [Fact]
        public void Adam_with_clipping_on_the_gpu_gives_the_cpu_losses()
        {
            float[] Run(IPlanSession session)
            {
                session.Optimizer.MaxGradNorm = 0.2f;
                return Losses(session);
            }
            float[] cpu, gpu;
            using (var session = new PlanSession(NetworkPlanner.Compile(Mlp("cpu:0-3", "S(1)", "S(0)"), PlanMode.Train, update: UpdateRule.Adam, clip: true))) cpu = Run(session);
            using (var session = new GpuPlanSession(NetworkPlanner.Compile(Mlp("cuda:0-3", "S(1)", "S(0)"), PlanMode.Train, update: UpdateRule.Adam, clip: true), _gpu.Gpu, _gpu.Kernels)) gpu = Run(session);
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {gpu[i]}");
        }

        [Fact]
        public void Plans_with_several_slots_are_refused_with_the_reason()
        {
            var plan = NetworkPlanner.Compile(Mlp("cuda:0"), PlanMode.Train, registerSlots: 2);
            var e = Assert.Throws<NotSupportedException>(() => new GpuPlanSession(plan, _gpu.Gpu, _gpu.Kernels));
            Assert.Contains("one slot per register", e.Message);
        }

        /// <summary>Dropout's mask is keyed by the step's number, which the kernels read from the device (so that a
        /// replayed step draws its own): step after step, the GPU drops what the CPU drops, and a graph is not refused.</summary>
        [Fact]
        public void Dropout_draws_each_steps_mask_as_on_the_cpu()
        {
            static NetworkSpec WithDropout(string placement)
            {
                var spec = Mlp(placement);
                return spec with { Forward = new EquatableArray<OpDecl>(spec.Forward.Select(o => o.Output == "h" ? new OpDecl("h", "Dropout", Arr("t1")) { Args = Arr(0.3) } : o).ToArray()) };
            }
            float[] cpu, gpu;
            using (var session = new PlanSession(NetworkPlanner.Compile(WithDropout("cpu:0"), PlanMode.Train))) cpu = Losses(session);
            using (var session = new GpuPlanSession(NetworkPlanner.Compile(WithDropout("cuda:0"), PlanMode.Train), _gpu.Gpu, _gpu.Kernels) { UseGraph = true })
                gpu = Losses(session);
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {gpu[i]}");
        }
    }
}
