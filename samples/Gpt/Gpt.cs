using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace Gpt;

/// <summary>A character-level GPT: 4 pre-norm transformer blocks of width 128 with 4 causal attention heads over a
/// context of 64 characters. Embedding and head are data parallel on cpu:0-1; blocks 0-1 are the first pipeline
/// stage on cpu:0-1 and blocks 2-3 the second on cpu:2-3, each block's MLP split over its stage's two devices
/// (tensor parallel, Megatron style: the first matrix by columns, the second by rows). A step streams two
/// micro-batches of 6 sequences through the stages, accumulating their gradients, and AdamW with clipping updates
/// the weights: the compiled plan holds its update ops and state.</summary>
[Network(Batch = Shape.Batch, MicroBatches = 2, Optimizer = Optimizers.AdamW, ClipsGradients = true)]
[Placement("cpu:0-1")]
public partial class CharGpt
{
    [Weight(Shape.Vocabulary, Shape.Width)] Tensor tokens;
    [Weight(Shape.Context, Shape.Width)] Tensor positions;
    [Repeat(Shape.Layers), Stages("cpu:0-1", "cpu:2-3")] Block[] blocks;
    [Weight(Shape.Width, Fill = 1)] Tensor norm;
    [Weight(Shape.Width)] Tensor shift;
    [Weight(Shape.Width, Shape.Vocabulary)] Tensor head;

    /// <summary>Logits [batch, context, vocabulary] for the next character at every position.</summary>
    public Tensor Forward([Input(Shape.Context), Ids, Sbp("S(0)")] Tensor text)
    {
        var x = Reshape(Embedding(text, tokens) + positions, -1, Shape.Width);
        foreach (var block in blocks) x = block.Forward(x);
        var logits = MatMul(LayerNorm(x) * norm + shift, head);
        return Reshape(logits, -1, Shape.Context, Shape.Vocabulary);
    }

    /// <summary>Cross-entropy against the next character of every position.</summary>
    public Tensor Loss(Tensor logits, [Input(Shape.Context)] Tensor next) => SoftmaxCrossEntropy(logits, next);
}

/// <summary>One pre-norm transformer block on [rows, width] activations: causal multi-head self-attention, then
/// a GELU MLP four times as wide, each added back to its input.</summary>
[Module]
public partial class Block
{
    [Weight(Shape.Width, Fill = 1)] Tensor norm1;
    [Weight(Shape.Width)] Tensor shift1;
    [Weight(Shape.Width, 3 * Shape.Width)] Tensor qkv;
    [Weight(Shape.Width, Shape.Width)] Tensor proj;
    [Weight(Shape.Width, Fill = 1)] Tensor norm2;
    [Weight(Shape.Width)] Tensor shift2;
    [Weight(Shape.Width, 4 * Shape.Width), Sbp("S(1)")] Tensor up;
    [Weight(4 * Shape.Width, Shape.Width), Sbp("S(0)")] Tensor down;

    public Tensor Forward(Tensor x)
    {
        var all = Reshape(MatMul(LayerNorm(x) * norm1 + shift1, qkv), -1, Shape.Context, 3 * Shape.Width);
        var q = Permute(Reshape(Slice(all, 2, 0, Shape.Width), -1, Shape.Context, Shape.Heads, Shape.HeadWidth), 0, 2, 1, 3);
        var k = Permute(Reshape(Slice(all, 2, Shape.Width, Shape.Width), -1, Shape.Context, Shape.Heads, Shape.HeadWidth), 0, 2, 1, 3);
        var v = Permute(Reshape(Slice(all, 2, 2 * Shape.Width, Shape.Width), -1, Shape.Context, Shape.Heads, Shape.HeadWidth), 0, 2, 1, 3);
        var attention = CausalSoftmax(Scale(MatMul(q, Transpose(k)), Shape.AttentionScale));
        var heads = Reshape(Permute(MatMul(attention, v), 0, 2, 1, 3), -1, Shape.Width);
        x = x + MatMul(heads, proj);
        return x + MatMul(Gelu(MatMul(LayerNorm(x) * norm2 + shift2, up), approximate: "tanh"), down);
    }
}

/// <summary>The model's sizes, constants so that the planner sees them at build time.</summary>
public static class Shape
{
    public const int Batch = 12, Context = 64, Width = 128, Heads = 4, Layers = 4, Vocabulary = 96;
    public const int HeadWidth = Width / Heads;
    public const double AttentionScale = 0.17677669529663687; // 1/√HeadWidth
}
