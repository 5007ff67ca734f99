using System;
using System.Linq;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Testing;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A memory budget the planner meets by recomputing activations trains exactly as without it.</summary>
    public class MemoryBudgetTests
    {
        [Fact]
        public void Under_its_budget_the_deep_gpt_recomputes_blocks_and_trains_with_exactly_the_same_losses()
        {
            const long budget = 80L << 20;
            var plan = DeepCharGpt.TrainPlan;
            // The peak counted from the plan's registers, not taken from the memory planner's report: the bytes the
            // layout spans, and the bytes live at once while the actors run in orders their dependencies allow (the
            // replays also check that no write lands on a register that is still to be read).
            long spanned = MemoryReplay.LayoutEnds(plan)[0];
            Assert.True(spanned <= budget, $"the layout spans {spanned:N0} bytes, over the budget");
            for (int seed = 0; seed < 2; seed++)
            {
                long live = MemoryReplay.Run(plan, new Random(seed))[0];
                Assert.True(live <= spanned, $"{live:N0} bytes live at once, more than the {spanned:N0} the layout spans");
            }
            // The plan built at compile time: its report says what it recomputes, and the copies are ops of the plan.
            Assert.Contains("budget 83,886,080 bytes per device: met by recomputing the activations of blocks.0", DeepCharGpt.PlanReport);
            Assert.Contains(plan.Ops, o => o.Origin.StartsWith("recompute ", StringComparison.Ordinal));

            var budgeted = new DeepCharGpt(seed: 3);
            var free = new DeepCharGpt(seed: 3);
            AdamW Adam() => new AdamW(1e-3f, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f) { ClipGradientNorm = 1f };
            using var within = budgeted.Trainer(Adam());
            using var without = free.Trainer(Adam(), DeepCharGpt.Spec with { MemoryBudget = 0 });
            Assert.True(within.Compiled);
            Assert.True(without.Plan.ArenaBytes.Max() > budget, $"unbudgeted peak {without.Plan.ArenaBytes.Max():N0}");
            Assert.Empty(without.Plan.Recomputed);
            var random = new Random(5);
            for (int step = 0; step < 3; step++)
            {
                var text = Enumerable.Range(0, 12 * Gpt.Shape.Context).Select(_ => random.Next(Gpt.Shape.Vocabulary)).ToArray();
                var next = text.Select(t => (t + 1) % Gpt.Shape.Vocabulary).ToArray();
                float a = within.Step(Tensor.From(text, 12, Gpt.Shape.Context), Tensor.From(next, 12, Gpt.Shape.Context));
                float b = without.Step(Tensor.From(text, 12, Gpt.Shape.Context), Tensor.From(next, 12, Gpt.Shape.Context));
                Assert.Equal(b, a);
            }
            // The session allocated the arena the layout spans.
            Assert.Equal(MemoryReplay.LayoutEnds(plan), ((PlanSession)within.Session).ArenaBytes);
        }
    }
}
