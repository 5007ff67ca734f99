using System;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;
using ExecutionPlan = OneFlow.Dsl.Planner.Plan.Plan;
using Xunit;
using Xunit.Abstractions;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>The GPU session's order between streams, tested where the simulator would hide it: every stream's work
    /// is queued and run in a seeded random order that honours only stream order and the events the session recorded
    /// (<see cref="StreamInterleaving"/>). Every plan gives the CPU's losses under several orders; and leaving out one
    /// recorded wait at a time shows which waits the results depend on.</summary>
    public class StreamInterleavingTests : IClassFixture<GpuFixture>
    {
        private readonly GpuFixture _gpu;
        private readonly ITestOutputHelper _output;

        public StreamInterleavingTests(GpuFixture gpu, ITestOutputHelper output) { _gpu = gpu; _output = output; }

        private sealed record Case(ExecutionPlan Cpu, ExecutionPlan Gpu, Func<IPlanSession, float[]> Losses);

        private static Case Of(string name)
        {
            ExecutionPlan Mlp(string placement, string? w1 = null, string? w2 = null, string? second = null, string device = "cuda")
                => NetworkPlanner.Compile(GpuPlanSessionTests.Mlp(placement.Replace("cuda", device), w1, w2, second?.Replace("cuda", device)), PlanMode.Train);
            Case Pair(string placement, string? w1 = null, string? w2 = null, string? second = null)
                => new Case(Mlp(placement, w1, w2, second, "cpu"), Mlp(placement, w1, w2, second), GpuPlanSessionTests.Losses);
            return name switch
            {
                "data parallel" => Pair("cuda:0-3"),
                "model parallel" => Pair("cuda:0-3", "S(1)", "S(0)"),
                "2x2 mesh" => Pair("2x2:cuda", "B,S(1)", "B,S(0)"),
                "pipeline between placements" => Pair("cuda:0-1", null, "S(1)", "cuda:2-4"),
                "convolution, data parallel" => new Case(NetworkPlanner.Compile(GpuPlanSessionTests.Cnn("cpu:0-3", null, "S(0)"), PlanMode.Train),
                    NetworkPlanner.Compile(GpuPlanSessionTests.Cnn("cuda:0-3", null, "S(0)"), PlanMode.Train), GpuPlanSessionTests.Losses),
                "transformer, Adam with clipping" => new Case(
                    NetworkPlanner.Compile(GpuTransformerTests.Transformer("cpu"), PlanMode.Train, update: UpdateRule.Adam, clip: true),
                    NetworkPlanner.Compile(GpuTransformerTests.Transformer("cpu").OnDeviceType("cuda"), PlanMode.Train, update: UpdateRule.Adam, clip: true),
                    GpuTransformerTests.Losses),
                _ => throw new ArgumentException(name),
            };
        }

        public static TheoryData<string, int> Orders()
        {
            var data = new TheoryData<string, int>();
            foreach (var name in new[] { "data parallel", "model parallel", "2x2 mesh", "pipeline between placements", "convolution, data parallel", "transformer, Adam with clipping" })
                foreach (int seed in new[] { 1, 2, 3 }) data.Add(name, seed);
            return data;
        }

        private static bool Same(float[] cpu, float[] gpu)
            => cpu.Zip(gpu).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * Math.Max(1, Math.Abs(p.First)));

        private float[] CpuLosses(Case c)
        {
            using var session = new PlanSession(c.Cpu);
            return c.Losses(session);
        }

        [Theory]
        [MemberData(nameof(Orders))]
        public void Streams_run_in_any_order_the_recorded_events_allow_give_the_cpu_losses(string name, int seed)
        {
            var c = Of(name);
            var cpu = CpuLosses(c);
            using var session = new GpuPlanSession(c.Gpu, _gpu.Gpu, _gpu.Kernels);
            var order = session.InterleaveStreams(seed);
            var gpu = c.Losses(session);
            Assert.NotEmpty(order.Seen);
            Assert.True(Same(cpu, gpu), $"CPU {string.Join(", ", cpu)}; GPU {string.Join(", ", gpu)}");
        }

        /// <summary>Each recorded wait left out in turn, under four orders: a wait is proved necessary when some order
        /// then gives other losses than the CPU's.</summary>
        [Theory]
        [InlineData("model parallel", 1)]
        [InlineData("pipeline between placements", 1)]
        [InlineData("2x2 mesh", 1)]
        public void Leaving_out_recorded_waits_changes_the_results(string name, int least)
        {
            var c = Of(name);
            var cpu = CpuLosses(c);
            using var session = new GpuPlanSession(c.Gpu, _gpu.Gpu, _gpu.Kernels);
            var waits = session.InterleaveStreams(0).Seen;
            c.Losses(session);
            int caught = 0;
            foreach (var wait in waits.OrderBy(w => w).ToList())
                foreach (int seed in new[] { 1, 2, 3, 4 })
                {
                    var order = session.InterleaveStreams(seed);
                    order.Drop = wait;
                    float[] gpu = c.Losses(session);
                    if (Same(cpu, gpu)) continue;
                    caught++;
                    break;
                }
            _output.WriteLine($"{name}: {caught} of {waits.Count} recorded waits proved necessary");
            Assert.True(caught >= least, $"{caught} of {waits.Count} waits proved necessary");
        }
    }
}
