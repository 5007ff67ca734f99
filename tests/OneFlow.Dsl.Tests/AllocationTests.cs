using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A warm training step of the samples' networks allocates nothing on the managed heap: feeds, kernels, the
    /// actor engine's messages and the boxing all work in memory planned at build time. Counted process-wide (device
    /// threads and helpers included), so this runs alone, with the convolution's check.</summary>
    [Collection(nameof(ConvolutionAllocation))]
    public class AllocationTests
    {
        /// <summary>The least a step allocated over ten tries: the test host's own threads may allocate during one try,
        /// a step that allocates does so on every try.</summary>
        private static long LeastAllocated(Action step)
        {
            for (int i = 0; i < 3; i++) step();
            long least = long.MaxValue;
            for (int attempt = 0; attempt < 10 && least > 0; attempt++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                step();
                least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            return least;
        }

        [Fact]
        public void A_warm_step_of_the_mnist_mlp_on_four_devices_allocates_nothing()
        {
            using var trainer = new Mlp(seed: 1).Trainer(new Sgd(0.1f));
            var (x, y) = (Data.Floats(1, 64, 784), Data.Labels(2, 64, 10));
            Assert.Equal(0, LeastAllocated(() => trainer.Step(x, y)));
        }

        [Fact]
        public void A_warm_step_of_the_pipelined_gpt_with_adamw_and_clipping_allocates_nothing()
        {
            using var trainer = new Gpt.CharGpt(seed: 1).Trainer(new AdamW(1e-3f, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f) { ClipGradientNorm = 1f });
            Assert.True(trainer.Compiled);
            var random = new Random(3);
            var text = Tensor.From(Enumerable.Range(0, Gpt.Shape.Batch * Gpt.Shape.Context).Select(_ => random.Next(Gpt.Shape.Vocabulary)).ToArray(), Gpt.Shape.Batch, Gpt.Shape.Context);
            var next = Tensor.From(Enumerable.Range(0, Gpt.Shape.Batch * Gpt.Shape.Context).Select(_ => random.Next(Gpt.Shape.Vocabulary)).ToArray(), Gpt.Shape.Batch, Gpt.Shape.Context);
            Assert.Equal(0, LeastAllocated(() => trainer.Step(text, next)));
        }
    }
}
