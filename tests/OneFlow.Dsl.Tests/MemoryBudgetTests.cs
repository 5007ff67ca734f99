using System;
using System.Linq;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Testing;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The GPT sample's network with twice its layers (8 of its blocks), on one device, one micro-batch, under
    /// a memory budget below its peak (98 MB without the budget): the compiled plan recomputes blocks' activations.</summary>
    [Network(Batch = 12, Optimizer = Optimizers.AdamW, ClipsGradients = true, MemoryBudget = "80 MiB")]
    [Placement("cpu:0")]
    public partial class DeepCharGpt
    {
        [Weight(Gpt.Shape.Vocabulary, Gpt.Shape.Width)] Tensor tokens;
        [Weight(Gpt.Shape.Context, Gpt.Shape.Width)] Tensor positions;
        [Repeat(2 * Gpt.Shape.Layers)] Gpt.Block[] blocks;
        [Weight(Gpt.Shape.Width, Fill = 1)] Tensor norm;
        [Weight(Gpt.Shape.Width)] Tensor shift;
        [Weight(Gpt.Shape.Width, Gpt.Shape.Vocabulary)] Tensor head;

        public Tensor Forward([Input(Gpt.Shape.Context), Ids] Tensor text)
        {
            var x = Reshape(Embedding(text, tokens) + positions, -1, Gpt.Shape.Width);
            foreach (var block in blocks) x = block.Forward(x);
            return Reshape(MatMul(LayerNorm(x) * norm + shift, head), -1, Gpt.Shape.Context, Gpt.Shape.Vocabulary);
        }

        public Tensor Loss(Tensor logits, [Input(Gpt.Shape.Context)] Tensor next) => SoftmaxCrossEntropy(logits, next);
    }

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
