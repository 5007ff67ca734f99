using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The README's example: x split by rows, w1 by columns, w2 by rows (Megatron's column-then-row).</summary>
    [Network(Batch = 64)]
    [Placement("cpu:0-3")]
    public partial class Mlp
    {
        [Weight(784, 512), Sbp("S(1)")] Tensor w1;
        [Weight(512), Sbp("S(0)")] Tensor b1;
        [Weight(512, 10), Sbp("S(0)")] Tensor w2;
        [Weight(10)] Tensor b2;

        public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
        {
            var h = Relu(MatMul(x, w1) + b1);
            return MatMul(h, w2) + b2;
        }
    }

    /// <summary>The same network, data parallel: weights replicated, the batch split.</summary>
    [Network(Batch = 64)]
    [Placement("cpu:0-3")]
    public partial class MlpDataParallel
    {
        [Weight(784, 512)] Tensor w1;
        [Weight(512)] Tensor b1;
        [Weight(512, 10)] Tensor w2;
        [Weight(10)] Tensor b2;

        public Tensor Forward([Input(784)] Tensor x)
        {
            var h = Relu(MatMul(x, w1) + b1);
            return MatMul(h, w2) + b2;
        }
    }

    /// <summary>Every op of the DSL in one small network, with its own loss, on three devices with uneven splits
    /// (deliberate here, so their warning is silenced).</summary>
#pragma warning disable OF0007
    [Network(Batch = 10)]
    [Placement("cpu:0-2")]
    public partial class AllOps
    {
        [Weight(6, 8), Sbp("S(1)")] Tensor w;
        [Weight(8)] Tensor gate;
        [Weight(8), Sbp("S(0)")] Tensor shift;
        [Weight(8, 5)] Tensor head;

        public Tensor Forward([Input(6)] Tensor x)
        {
            var z = MatMul(x, w) * gate - shift;
            return MatMul(Relu(z), head);
        }

        public Tensor Loss(Tensor output, Tensor labels) => SoftmaxCrossEntropy(output, labels);
    }
#pragma warning restore OF0007
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>The row ops (layer norm, GELU, softmax, log softmax, sum, mean, transpose) in one network on four
    /// devices, its SBPs left to the planner.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class RowOpsNet
    {
        [Weight(6, 12)] Tensor w;
        [Weight(12)] Tensor gain;
        [Weight(12, 5)] Tensor head;

        public Tensor Forward([Input(6)] Tensor x)
        {
            var h = Gelu(LayerNorm(MatMul(x, w)) * gain, approximate: "tanh");
            var z = MatMul(LogSoftmax(Softmax(h) + h), head);
            return Transpose(Transpose(z) + Mean(h) - Sum(h) + Max(h));
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>A vocabulary-parallel embedding (the table split by rows over four devices) feeding a small head.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class Bag
    {
        [Weight(20, 6), Sbp("S(0)")] Tensor table;
        [Weight(3, 5)] Tensor head;

        public Tensor Forward([Input(3), Ids] Tensor tokens)
        {
            var e = Embedding(tokens, table);
            return MatMul(Gelu(Mean(e), approximate: "tanh"), head);
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>A 2×2 mesh: data parallel along the first mesh axis, column-then-row model parallel along the second.</summary>
    [Network(Batch = 8)]
    [Placement("2x2:cpu")]
    public partial class MeshMlp
    {
        [Weight(12, 16), Sbp("B", "S(1)")] Tensor w1;
        [Weight(16), Sbp("B", "S(0)")] Tensor b1;
        [Weight(16, 5), Sbp("B", "S(0)")] Tensor w2;
        [Weight(5)] Tensor b2;

        public Tensor Forward([Input(12), Sbp("S(0)", "B")] Tensor x)
        {
            var h = Relu(MatMul(x, w1) + b1);
            return MatMul(h, w2) + b2;
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>Dropout between two layers, data parallel on four devices.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class DropoutNet
    {
        [Weight(12, 32)] Tensor w1;
        [Weight(32, 5)] Tensor w2;

        public Tensor Forward([Input(12)] Tensor x) => MatMul(Dropout(Relu(MatMul(x, w1)), 0.25), w2);
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>Slice, Concat and Reshape (through a rank-3 layer norm) on four devices.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class ShapeNet
    {
        [Weight(12, 16)] Tensor w1;
        [Weight(16, 5)] Tensor w2;

        public Tensor Forward([Input(12)] Tensor x)
        {
            var h = Relu(MatMul(x, w1));
            var swapped = Concat(Slice(h, 1, 8, 8), Slice(h, 1, 0, 8), 1);
            var normed = Reshape(LayerNorm(Reshape(swapped, 8, 4, 4)), -1, 16);
            return MatMul(normed, w2);
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>A per-position layer over a batch of sequences: [8,4,6] flattened to [32,6] and back, the batch
    /// split over four devices all the way through.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class FlatNet
    {
        [Weight(6, 3)] Tensor w;
        [Weight(12, 5)] Tensor head;

        public Tensor Forward([Input(4, 6)] Tensor x)
        {
            var perPosition = Gelu(MatMul(Reshape(x, 32, 6), w), approximate: "tanh");
            return MatMul(Reshape(perPosition, 8, 12), head);
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>The MLP as two pipeline stages: the first layer data parallel on devices 0-1, the second on devices
    /// 2-4 with its weight split by columns (10 over 3, uneven on purpose). The weights' names and shapes are
    /// <see cref="MlpDataParallel"/>'s, so the same seed gives the same weights.</summary>
#pragma warning disable OF0007
    [Network(Batch = 64)]
    [Placement("cpu:0-1")]
    public partial class PipelinedMlp
    {
        [Weight(784, 512)] Tensor w1;
        [Weight(512)] Tensor b1;
        [Weight(512, 10), Sbp("S(1)"), Placement("cpu:2-4")] Tensor w2;
        [Weight(10), Placement("cpu:2-4")] Tensor b2;

        public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
        {
            var h = Relu(MatMul(x, w1) + b1);
            return MatMul(h, w2) + b2;
        }
    }
#pragma warning restore OF0007

    /// <summary><see cref="MeshMlp"/>'s first layer on a 2×2 mesh (data × model parallel), its second on two more
    /// devices, row-parallel.</summary>
    [Network(Batch = 8)]
    [Placement("2x2:cpu")]
    public partial class MeshThenPair
    {
        [Weight(12, 16), Sbp("B", "S(1)")] Tensor w1;
        [Weight(16), Sbp("B", "S(0)")] Tensor b1;
        [Weight(16, 5), Sbp("S(0)"), Placement("cpu:4-5")] Tensor w2;
        [Weight(5), Placement("cpu:4-5")] Tensor b2;

        public Tensor Forward([Input(12), Sbp("S(0)", "B")] Tensor x)
        {
            var h = Relu(MatMul(x, w1) + b1);
            return MatMul(h, w2) + b2;
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>NumPy broadcasting over a batch of 4×4 matrices: a per-row scale [4,1], a per-column shift [4], a
    /// whole-matrix bias [4,4], and one value per matrix (a [8,1,1] mean), on four devices.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class BroadcastNet
    {
        [Weight(12, 16)] Tensor w;
        [Weight(4, 1)] Tensor scale;
        [Weight(4)] Tensor shift;
        [Weight(4, 4)] Tensor bias;
        [Weight(16, 5)] Tensor head;

        public Tensor Forward([Input(12)] Tensor x)
        {
            var m = Reshape(MatMul(x, w), 8, 4, 4);
            var z = m * scale + shift - bias;
            var centred = z - Reshape(Mean(Reshape(z, 8, 16)), 8, 1, 1);
            return MatMul(Reshape(Gelu(centred, approximate: "tanh"), 8, 16), head);
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>One head of causal self-attention over 4 tokens of width 6: batched products q·kᵀ and attention·v,
    /// the causal softmax between them, on four devices with the SBPs left to the planner.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class AttentionNet
    {
        [Weight(6, 6)] Tensor wq;
        [Weight(6, 6)] Tensor wk;
        [Weight(6, 6)] Tensor wv;
        [Weight(24, 5)] Tensor head;

        public Tensor Forward([Input(4, 6)] Tensor x)
        {
            var tokens = Reshape(x, 32, 6);
            var q = Reshape(MatMul(tokens, wq), 8, 4, 6);
            var k = Reshape(MatMul(tokens, wk), 8, 4, 6);
            var v = Reshape(MatMul(tokens, wv), 8, 4, 6);
            var attention = CausalSoftmax(MatMul(q, Transpose(k)));
            return MatMul(Reshape(MatMul(attention, v), 8, 24), head);
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>Two heads of causal self-attention over 4 tokens of width 6 (3 per head): the heads are split off
    /// by Permute ([B, T, H, d] → [B, H, T, d]) and joined back the same way.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class MultiHeadNet
    {
        [Weight(6, 18)] Tensor qkv;
        [Weight(6, 6)] Tensor proj;
        [Weight(24, 5)] Tensor head;

        public Tensor Forward([Input(4, 6)] Tensor x)
        {
            var all = Reshape(MatMul(Reshape(x, 32, 6), qkv), 8, 4, 18);
            var q = Permute(Reshape(Slice(all, 2, 0, 6), 8, 4, 2, 3), 0, 2, 1, 3);
            var k = Permute(Reshape(Slice(all, 2, 6, 6), 8, 4, 2, 3), 0, 2, 1, 3);
            var v = Permute(Reshape(Slice(all, 2, 12, 6), 8, 4, 2, 3), 0, 2, 1, 3);
            var attended = MatMul(CausalSoftmax(MatMul(q, Transpose(k))), v);
            var joined = Reshape(Permute(attended, 0, 2, 1, 3), 32, 6);
            return MatMul(Reshape(MatMul(joined, proj), 8, 24), head);
        }
    }
}

namespace OneFlow.Dsl.Tests
{
    /// <summary>A pre-norm transformer block on [rows, 8] activations (sequences of 3 tokens, 2 heads of 4; -1 for
    /// the batch axis, so that it fits a micro-batch too): the GPT sample's block, small enough to check by finite
    /// differences.</summary>
    [Module]
    public partial class TinyBlock
    {
        [Weight(8, Fill = 1)] Tensor gain;
        [Weight(8)] Tensor shift;
        [Weight(8, 24)] Tensor qkv;
        [Weight(8, 8)] Tensor proj;
        [Weight(8, 16), Sbp("S(1)")] Tensor up;
        [Weight(16, 8), Sbp("S(0)")] Tensor down;

        public Tensor Forward(Tensor x)
        {
            var all = Reshape(MatMul(LayerNorm(x) * gain + shift, qkv), -1, 3, 24);
            var q = Permute(Reshape(Slice(all, 2, 0, 8), -1, 3, 2, 4), 0, 2, 1, 3);
            var k = Permute(Reshape(Slice(all, 2, 8, 8), -1, 3, 2, 4), 0, 2, 1, 3);
            var v = Permute(Reshape(Slice(all, 2, 16, 8), -1, 3, 2, 4), 0, 2, 1, 3);
            var attention = CausalSoftmax(Scale(MatMul(q, Transpose(k)), 0.5));
            var heads = Reshape(Permute(MatMul(attention, v), 0, 2, 1, 3), -1, 8);
            x = x + MatMul(heads, proj);
            return x + MatMul(Gelu(MatMul(x, up), approximate: "tanh"), down);
        }
    }

    /// <summary>Four blocks declared once, in two pipeline stages (blocks 0-1 on cpu:0-1, 2-3 on cpu:2-3), the
    /// embeddings and head data parallel on cpu:0-1, a label per token.</summary>
    [Network(Batch = 4)]
    [Placement("cpu:0-1")]
    public partial class TinyGpt
    {
        [Weight(10, 8)] Tensor tokens;
        [Weight(3, 8)] Tensor positions;
        [Repeat(4), Stages("cpu:0-1", "cpu:2-3")] TinyBlock[] blocks;
        [Weight(8, 10)] Tensor head;

        public Tensor Forward([Input(3), Ids, Sbp("S(0)")] Tensor text)
        {
            var x = Reshape(Embedding(text, tokens) + positions, -1, 8);
            foreach (var block in blocks) x = block.Forward(x);
            return Reshape(MatMul(x, head), -1, 3, 10);
        }

        public Tensor Loss(Tensor logits, [Input(3)] Tensor next) => SoftmaxCrossEntropy(logits, next);
    }

    /// <summary>A dense layer as a module.</summary>
    [Module]
    public partial class Dense
    {
        [Weight(6, 6)] Tensor w;
        [Weight(6)] Tensor b;

        public Tensor Forward(Tensor x) => Relu(MatMul(x, w) + b);
    }

    /// <summary>Modules called every way the planner reads: a single field, array elements at constant indices,
    /// and one module placed by its field.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-1")]
    public partial class DenseStack
    {
        Dense first;
        [Repeat(2)] Dense[] pair;
        [Placement("cpu:2")] Dense last;
        [Weight(6, 5)] Tensor head;

        public Tensor Forward([Input(6)] Tensor x) => MatMul(last.Forward(pair[1].Forward(pair[0].Forward(this.first.Forward(x)))), head);
    }

    /// <summary>Pooling as torchvision's networks use it, after a group-normalised convolution: a padded 3×3 max pool
    /// (ResNet's stem), an average pool in ceil mode without the border in its divisor, adaptive max pooling and global
    /// average pooling, on four devices.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class PoolNet
    {
        [Weight(4, 2, 3, 3)] Tensor conv;
        [Weight(4, Fill = 1)] Tensor groupScale;
        [Weight(4)] Tensor groupShift;
        [Weight(36, 5)] Tensor head;
        [Weight(4, 5)] Tensor global;

        public Tensor Forward([Input(2, 9, 9)] Tensor x)
        {
            var h = Relu(GroupNorm(Conv2d(x, conv, padding: 1), 2, groupScale, groupShift));
            var m = MaxPool2d(h, 3, 2, padding: 1);
            var a = AvgPool2d(m, 2, 2, ceilMode: true, countIncludePad: false);
            var q = AdaptiveMaxPool2d(h, 3, 3);
            return MatMul(Flatten(a) + Flatten(q), head) + MatMul(Flatten(AdaptiveAvgPool2d(h, 1, 1)), global);
        }
    }

    /// <summary>What issue 27's models need, in one encoder-decoder on four devices: a reflection pad, a dilated
    /// convolution with a bias, group norm and exact GELU; a padded max pool; a transposed convolution back up;
    /// nearest and bilinear upsampling; a 1-D convolution along the flattened image; gates from comparisons (Where,
    /// MaskedFill, every relation, a softmax with its maximum masked to −∞); adaptive pooling; a Linear head with
    /// PyTorch's layout; and ArgMax positions looked up in a table (Embedding, IndexSelect) and gathered.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class EncoderDecoderNet
    {
        [Weight(4, 2, 3, 3)] Tensor down;
        [Weight(4)] Tensor downBias;
        [Weight(4, Fill = 1)] Tensor groupScale;
        [Weight(4)] Tensor groupShift;
        [Weight(4, 3, 2, 2)] Tensor up;
        [Weight(3)] Tensor upBias;
        [Weight(3, 3, 3)] Tensor line;
        [Weight(3)] Tensor lineBias;
        [Weight(5, 12)] Tensor head;
        [Weight(5)] Tensor headBias;
        [Weight(3, 5)] Tensor picked;

        public Tensor Forward([Input(2, 8, 8)] Tensor x)
        {
            var h = Gelu(GroupNorm(Conv2d(Pad(x, new[] { 1, 1, 1, 1 }, "reflect"), down, downBias, padding: 1, dilation: 2), 2, groupScale, groupShift));
            var u = ConvTranspose2d(MaxPool2d(h, 3, 2, padding: 1), up, upBias, stride: 2);
            u = u + Upsample(AdaptiveAvgPool2d(u, 4, 4), 2, "bilinear") * 0.5f + Upsample(AdaptiveMaxPool2d(u, 4, 4), 2) * 0.25f;
            u = u + Reshape(Conv1d(Reshape(u, -1, 3, 64), line, lineBias, padding: 1), -1, 3, 8, 8) * 0.5f;
            var gated = Where(u > 0.1f, u, u * 0.1f) + MaskedFill(u, Le(u, -0.5), 0) + Where(Eq(Relu(u), 0), Sigmoid(u), Tanh(u))
                + Where(Ne(Relu(u), 0), u, Square(u)) + MaskedFill(u * 0.5f, Ge(u, Sigmoid(u)), 0.25) + Where(u < Tanh(u), u, Neg(u));
            var logits = Linear(Flatten(AdaptiveAvgPool2d(gated, 2, 2)), head, headBias);
            var peaks = Flatten(AdaptiveMaxPool2d(u, 1, 1));
            var rest = Softmax(MaskedFill(logits, Eq(logits, Max(logits, keepDim: true)), double.NegativeInfinity));
            return logits + rest + Embedding(ArgMax(peaks), picked) + IndexSelect(picked, 0, ArgMin(peaks)) * Gather(peaks, 1, ArgMax(peaks, keepDim: true));
        }
    }

    /// <summary>The activations and pointwise functions of torch.nn (SiLU, clamp, ReLU6, hardtanh, leaky ReLU, ELU,
    /// hardswish, erf, sin, cos, powers), extrema and their positions (looked up in a table), between Linear layers of
    /// PyTorch's [out, in] layout, on four devices, the first layer split by output features so that each runs on a
    /// split tensor.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class ActivationNet
    {
        [Weight(16, 6), Sbp("S(0)")] Tensor w1;
        [Weight(16)] Tensor b1;
        [Weight(16, Fill = 1)] Tensor normScale;
        [Weight(16)] Tensor normShift;
        [Weight(5, 16)] Tensor head;
        [Weight(16, 5)] Tensor picked;

        public Tensor Forward([Input(6)] Tensor x)
        {
            var h = LayerNorm(Linear(x, w1, b1), normScale, normShift, eps: 1e-6);
            var a = Silu(h) + Clamp(h, -0.5, 0.75) + Relu6(h * 4f) + Hardtanh(h, -0.3, 0.9) + LeakyRelu(h, 0.2) + Elu(h, 0.7);
            var b = Hardswish(h * 3f) + Erf(h) + Sin(h) * Cos(h) + Pow(Square(h) + 1f, 1.5) + Pow(h, 3) + Clamp(h, max: 0.25);
            var extremes = Cumsum(h, 1) * 0.1f + Maximum(h, Minimum(h * 0.5f, b1)) + Max(h, keepDim: true) - Min(h, axis: 1, keepDim: true) + Expand(Unsqueeze(Mean(Squeeze(Unsqueeze(h, 1), 1), axis: 1), 1), -1, 16);
            return Linear(a * 0.25f + b * 0.5f + extremes, head) + Embedding(ArgMax(h), picked) - Embedding(ArgMin(h, axis: -1), picked);
        }
    }

    /// <summary>The math ops alone (tanh, sigmoid, exp, log, sqrt, abs, square, softplus, division by tensors and constants,
    /// constants on either side, means and sums over chosen axes) on four devices: the first layer column-parallel,
    /// the head row-parallel.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class MathNet
    {
        [Weight(6, 16), Sbp("S(1)")] Tensor w1;
        [Weight(6, 16)] Tensor w2;
        [Weight(16)] Tensor scale;
        [Weight(16, 20), Sbp("S(0)")] Tensor head;

        public Tensor Forward([Input(6)] Tensor x)
        {
            var gate = Tanh(MatMul(x, w1) / 4f) * Sigmoid(MatMul(x, w2));
            var positive = Softplus(gate) + 0.5f;
            var h = Log(Exp(gate) + 1f) - Sqrt(Square(gate) + 1f) / positive + Abs(gate) * scale + 2f / (Square(gate) + 1f);
            var z = Reshape(MatMul(1f - h, head), -1, 5, 4);
            return Mean(z, axis: 2) * 2f - Sum(Sum(Reshape(-z, -1, 5, 2, 2), axis: 3), axis: -1) / 8f;
        }
    }

    /// <summary>Regression from two inputs with PyTorch's mean squared error against float targets.</summary>
    [Network(Batch = 16)]
    [Placement("cpu:0-3")]
    public partial class Regression
    {
        [Weight(8, 16)] Tensor w1;
        [Weight(4, 16)] Tensor w2;
        [Weight(16, 3)] Tensor head;

        public Tensor Forward([Input(8)] Tensor x, [Input(4)] Tensor z) => MatMul(Tanh(MatMul(x, w1) + MatMul(z, w2)), head);

        public Tensor Loss(Tensor y, [Input(3)] Tensor target) => MseLoss(y, target);
    }

    /// <summary>The same network with the mean squared error written out.</summary>
    [Network(Batch = 16)]
    [Placement("cpu:0-3")]
    public partial class ComposedRegression
    {
        [Weight(8, 16)] Tensor w1;
        [Weight(4, 16)] Tensor w2;
        [Weight(16, 3)] Tensor head;

        public Tensor Forward([Input(8)] Tensor x, [Input(4)] Tensor z) => MatMul(Tanh(MatMul(x, w1) + MatMul(z, w2)), head);

        public Tensor Loss(Tensor y, [Input(3)] Tensor target)
        {
            var d = y - target;
            return Mean(Mean(d * d));
        }
    }

    /// <summary>Losses of several terms: a classifier's scaled cross-entropy plus an L2 penalty on a weight, an L1
    /// term and a binary cross-entropy on the same logits against the labels' one-hot rows, marked as class ids.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-1")]
    public partial class PenalisedClassifier
    {
        [Weight(6, 12)] Tensor w;
        [Weight(12, 4)] Tensor head;

        public Tensor Forward([Input(6)] Tensor x) => MatMul(Relu(MatMul(x, w)), head);

        public Tensor Loss(Tensor logits, Tensor labels)
            => Scale(SoftmaxCrossEntropy(logits, labels), 2) + Sum(Sum(w * w)) * 1e-3f;
    }

    /// <summary>Binary cross-entropy on logits against float targets in [0, 1], plus an L1 term.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-1")]
    public partial class MultiLabel
    {
        [Weight(6, 12)] Tensor w;
        [Weight(12, 4)] Tensor head;

        public Tensor Forward([Input(6)] Tensor x) => MatMul(Relu(MatMul(x, w)), head);

        public Tensor Loss(Tensor logits, [Input(4)] Tensor targets) => BceWithLogitsLoss(logits, targets) + L1Loss(Sigmoid(logits), targets) * 0.5f;
    }

    /// <summary>A network compiled for AdamW with clipping.</summary>
    [Network(Batch = 16, Optimizer = Optimizers.AdamW, ClipsGradients = true)]
    [Placement("cpu:0-1")]
    public partial class AdamNet
    {
        [Weight(8, 16), Sbp("S(1)")] Tensor w1;
        [Weight(16, 4)] Tensor w2;

        public Tensor Forward([Input(8)] Tensor x) => MatMul(Gelu(MatMul(x, w1)), w2);
    }
}
