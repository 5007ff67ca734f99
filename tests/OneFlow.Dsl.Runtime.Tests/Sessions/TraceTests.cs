using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Sessions
{
    /// <summary>The trace of a few steps is valid Chrome trace-event JSON: a named row per device, slices of every
    /// kind (feeds, compute, boxing, waiting at collectives) on the threads that did them, in order.</summary>
    public class TraceTests
    {
        [Fact]
        public void A_trace_names_each_device_and_holds_every_kind_of_slice()
        {
            var spec = new NetworkSpec("Mlp", 8, "cpu:0-3",
                new EquatableArray<TensorDecl>(new[] { W("w1", "S(1)", 12, 16), W("w2", "S(0)", 16, 5) }),
                new EquatableArray<TensorDecl>(new[] { new TensorDecl("x", DeclKind.Input, new EquatableArray<int>(new[] { 12 }), "S(0)") }),
                new EquatableArray<OpDecl>(new[] { Op("h", "MatMul", "x", "w1"), Op("r", "Relu", "h"), Op("y", "MatMul", "r", "w2") }),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            var plan = NetworkPlanner.Compile(spec, PlanMode.Train);
            string path = Path.Combine(Path.GetTempPath(), $"trace-{Guid.NewGuid():N}.json");
            try
            {
                using (var session = new PlanSession(plan) { LearningRate = 0.1f })
                {
                    foreach (var w in plan.Weights) session.Write(w.Id, new float[w.Shape.Elements]);
                    session.StartTrace();
                    for (int step = 0; step < 3; step++)
                    {
                        session.Feed(plan.Tensors.Single(t => t.Name == "x").Id, Enumerable.Range(0, 96).Select(i => (float)i).ToArray());
                        session.Feed(plan.Tensors.Single(t => t.Name == "labels").Id, Enumerable.Range(0, 8).Select(i => i % 5).ToArray());
                        session.Run();
                    }
                    session.WriteTrace(path);
                }
                using var json = JsonDocument.Parse(File.ReadAllText(path));
                var events = json.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
                var names = events.Where(e => e.GetProperty("ph").GetString() == "M").Select(e => e.GetProperty("args").GetProperty("name").GetString()).ToList();
                Assert.Equal(new[] { "device 0 (cpu:0)", "device 1 (cpu:1)", "device 2 (cpu:2)", "device 3 (cpu:3)", "communication" }, names);
                var slices = events.Where(e => e.GetProperty("ph").GetString() == "X").ToList();
                // Spins: a device thread that ran out of work (between steps at least) spun before it slept.
                Assert.Equal(new[] { "boxing", "compute", "feed", "spin", "waiting" }, slices.Select(e => e.GetProperty("cat").GetString()).Distinct().OrderBy(c => c));
                Assert.All(slices.Where(e => e.GetProperty("cat").GetString() == "spin"), e => Assert.Equal("spin", e.GetProperty("name").GetString()));
                Assert.All(slices, e =>
                {
                    Assert.True(e.GetProperty("dur").GetDouble() >= 0);
                    Assert.True(e.GetProperty("ts").GetDouble() >= 0);
                    Assert.InRange(e.GetProperty("tid").GetInt32(), 0, 3);
                });
                // Every actor acted once per step.
                Assert.Equal(3 * plan.Actors.Count, slices.Count(e => e.GetProperty("cat").GetString() is not ("boxing" or "spin")));
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static TensorDecl W(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Weight, new EquatableArray<int>(dims), sbp);
        private static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, new EquatableArray<string>(inputs));
    }
}
