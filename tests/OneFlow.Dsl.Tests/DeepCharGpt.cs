using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The GPT sample's network with twice its layers (8 of its blocks), on one device, one micro-batch, under
    /// a memory budget below its peak: the compiled plan recomputes blocks' activations.</summary>
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
}
