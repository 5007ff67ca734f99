using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Testing;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>A memory budget met by recomputing modules' activations in the backward pass.</summary>
    public class MemoryBudgetTests
    {
        /// <summary>Six residual MLP blocks x + Relu(x·up)·down (width 128, hidden 1024; each a module), a head and the
        /// loss, at batch 1024 on one device: each block's hidden activation (4 MB) is what its backward pass reads.</summary>
        private static NetworkSpec Stack(long budget = 0)
        {
            var weights = Enumerable.Range(0, 6).SelectMany(i => new[] { W($"layers.{i}.up", null, 128, 1024), W($"layers.{i}.down", null, 1024, 128) })
                .Append(W("head", null, 128, 10)).ToArray();
            var statements = Enumerable.Range(0, 6).SelectMany(i =>
            {
                string x = i == 0 ? "x" : $"x{i}", m = $"layers.{i}";
                return new[]
                {
                    Op($"p{i}", "MatMul", x, $"layers.{i}.up") with { Module = m },
                    Op($"h{i}", "Relu", $"p{i}") with { Module = m },
                    Op($"o{i}", "MatMul", $"h{i}", $"layers.{i}.down") with { Module = m },
                    Op($"x{i + 1}", "Add", x, $"o{i}") with { Module = m },
                };
            }).Append(Op("logits", "MatMul", "x6", "head")).ToArray();
            return new NetworkSpec("Stack", 1024, "cpu:0", Arr(weights), Arr(new TensorDecl("x", DeclKind.Input, Arr(128), null)),
                Arr(statements), "logits", NetworkSpec.DefaultLoss("logits"), "loss") { MemoryBudget = budget };
        }

        [Fact]
        public void Under_a_budget_the_first_modules_are_recomputed_until_the_peak_fits()
        {
            var free = NetworkPlanner.Compile(Stack(), PlanMode.Train);
            long budget = free.ArenaBytes[0] * 3 / 4;
            var plan = NetworkPlanner.Compile(Stack(budget), PlanMode.Train);
            Assert.True(plan.ArenaBytes[0] <= budget, $"peak {plan.ArenaBytes[0]} over {budget}");
            // Counted from the registers themselves: the bytes the layout spans, and the bytes live at once in
            // replays of the actors (which also check that no write lands on a register still to be read).
            Assert.True(MemoryReplay.LayoutEnds(plan)[0] <= budget, $"the layout spans {MemoryReplay.LayoutEnds(plan)[0]} bytes, over {budget}");
            for (int seed = 0; seed < 3; seed++)
            {
                long live = MemoryReplay.Run(plan, new System.Random(seed))[0];
                Assert.True(live <= budget, $"{live} bytes live at once, over {budget}");
            }
            Assert.NotEmpty(plan.Recomputed);
            Assert.Equal("layers.0", plan.Recomputed[0]);
            Assert.True(plan.Recomputed.Count < 6);
            // Each recomputed block computes its first product and ReLU again (its output, the next block's input, is kept).
            Assert.Equal(2 * plan.Recomputed.Count, plan.Ops.Count(o => o.Origin.StartsWith("recompute ")));
            Assert.Equal(plan.Ops.Count, free.Ops.Count + plan.RecomputedOps);
            string report = PlanReport.Write(plan);
            Assert.Contains($"budget {budget:N0} bytes per device: met by recomputing the activations of layers.0", report.Replace("\u202f", ","));
            // A copy waits for the gradient of its module's output, so it cannot run during the forward pass.
            var copy = plan.Ops.First(o => o.Origin.StartsWith("recompute "));
            Assert.Contains(plan.Actors, a => a.Op == copy.Id && a.Controls.Length > 0);
        }

        [Fact]
        public void A_budget_that_is_met_already_recomputes_nothing()
        {
            var free = NetworkPlanner.Compile(Stack(), PlanMode.Train);
            var plan = NetworkPlanner.Compile(Stack(free.ArenaBytes[0]), PlanMode.Train);
            Assert.Empty(plan.Recomputed);
            Assert.Equal(free.ArenaBytes[0], plan.ArenaBytes[0]);
            Assert.Contains("met without recomputation", PlanReport.Write(plan));
        }

        [Fact]
        public void A_budget_out_of_reach_is_refused_with_the_smallest_peak_recomputation_reaches()
        {
            var e = Assert.Throws<PlanException>(() => NetworkPlanner.Compile(Stack(100_000), PlanMode.Train));
            Assert.Equal(PlanErrorKind.MemoryBudget, e.Kind);
            Assert.Equal("MemoryBudget", e.Subject);
            Assert.Matches(@"recomputing the activations of all 6 modules it reaches [\d,]+ at best", e.Message);
        }
    }
}
