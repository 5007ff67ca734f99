using System;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl
{
    /// <summary>The ops a network's <c>Forward</c> calls, with PyTorch's names and semantics. The generator reads these
    /// calls to build the plan; called directly they run eagerly on the CPU through the same op definitions and
    /// kernels (see <c>OneFlow.Dsl.Planner.Ops</c>), so the two agree by construction. Constant arguments (axes,
    /// probabilities, shapes) must be compile-time constants in a planned network.</summary>
    public static class Ops
    {
        /// <summary>a [m,k] · b [k,n] → [m,n]; batches of matrices [..., m, k] · [..., k, n] multiply pairwise.</summary>
        public static Tensor MatMul(Tensor a, Tensor b) => Eager.Run(OpKind.MatMul, a, b);

        /// <summary>a + b, broadcasting as NumPy does (shapes aligned at their last axes, axes of length 1 repeated).</summary>
        public static Tensor Add(Tensor a, Tensor b) => Eager.Run(OpKind.Add, a, b);

        /// <summary>a − b, broadcasting as <see cref="Add"/>.</summary>
        public static Tensor Sub(Tensor a, Tensor b) => Eager.Run(OpKind.Sub, a, b);

        /// <summary>a · b elementwise, broadcasting as <see cref="Add"/>.</summary>
        public static Tensor Mul(Tensor a, Tensor b) => Eager.Run(OpKind.Mul, a, b);

        /// <summary>a / b elementwise, broadcasting as <see cref="Add"/>.</summary>
        public static Tensor Div(Tensor a, Tensor b) => Eager.Run(OpKind.Div, a, b);

        /// <summary>−x.</summary>
        public static Tensor Neg(Tensor x) => Eager.Run(OpKind.Neg, x);

        /// <summary>Every element times the constant <paramref name="factor"/> (attention's 1/√d).</summary>
        public static Tensor Scale(Tensor x, double factor) => Eager.Run(OpKind.Scale, new[] { factor }, x);

        /// <summary>1 / x.</summary>
        public static Tensor Reciprocal(Tensor x) => Eager.Run(OpKind.Reciprocal, x);

        public static Tensor Relu(Tensor x) => Eager.Run(OpKind.Relu, x);

        /// <summary>GELU as <c>F.gelu</c>: <paramref name="approximate"/> "none" (exact, x·Φ(x), the default) or "tanh"
        /// (GPT-2's approximation).</summary>
        public static Tensor Gelu(Tensor x, string approximate = "none") => Eager.Run(OpKind.Gelu, new[] { GeluOp.Approximation(approximate) }, x);

        public static Tensor Tanh(Tensor x) => Eager.Run(OpKind.Tanh, x);

        /// <summary>1 / (1 + e⁻ˣ).</summary>
        public static Tensor Sigmoid(Tensor x) => Eager.Run(OpKind.Sigmoid, x);

        public static Tensor Exp(Tensor x) => Eager.Run(OpKind.Exp, x);

        /// <summary>The natural logarithm.</summary>
        public static Tensor Log(Tensor x) => Eager.Run(OpKind.Log, x);

        public static Tensor Sqrt(Tensor x) => Eager.Run(OpKind.Sqrt, x);

        public static Tensor Abs(Tensor x) => Eager.Run(OpKind.Abs, x);

        /// <summary>x².</summary>
        public static Tensor Square(Tensor x) => Eager.Run(OpKind.Square, x);

        /// <summary>log(1 + eˣ).</summary>
        public static Tensor Softplus(Tensor x) => Eager.Run(OpKind.Softplus, x);

        /// <summary>The error function (<c>torch.erf</c>).</summary>
        public static Tensor Erf(Tensor x) => Eager.Run(OpKind.Erf, x);

        public static Tensor Sin(Tensor x) => Eager.Run(OpKind.Sin, x);

        public static Tensor Cos(Tensor x) => Eager.Run(OpKind.Cos, x);

        /// <summary>xᵖ for a constant exponent (<c>torch.pow(x, p)</c>); a negative x to a fractional power is NaN.</summary>
        public static Tensor Pow(Tensor x, double p) => Eager.Run(OpKind.Pow, new[] { p }, x);

        /// <summary>x · σ(x) (<c>torch.nn.SiLU</c>).</summary>
        public static Tensor Silu(Tensor x) => Eager.Run(OpKind.Silu, x);

        /// <summary>min(max(x, min), max) (<c>torch.clamp</c>); leave a side open with an infinity.</summary>
        public static Tensor Clamp(Tensor x, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
            => Eager.Run(OpKind.Clamp, new[] { min, max }, x);

        /// <summary>min(max(x, 0), 6) (<c>torch.nn.ReLU6</c>).</summary>
        public static Tensor Relu6(Tensor x) => Eager.Run(OpKind.Relu6, x);

        /// <summary>min(max(x, min), max) (<c>torch.nn.Hardtanh</c>).</summary>
        public static Tensor Hardtanh(Tensor x, double min = -1, double max = 1) => Eager.Run(OpKind.Hardtanh, new[] { min, max }, x);

        /// <summary>x above 0, slope · x below (<c>torch.nn.LeakyReLU</c>).</summary>
        public static Tensor LeakyRelu(Tensor x, double slope = 0.01) => Eager.Run(OpKind.LeakyRelu, new[] { slope }, x);

        /// <summary>x above 0, α(eˣ − 1) below (<c>torch.nn.ELU</c>).</summary>
        public static Tensor Elu(Tensor x, double alpha = 1) => Eager.Run(OpKind.Elu, new[] { alpha }, x);

        /// <summary>x · relu6(x + 3) / 6 (<c>torch.nn.Hardswish</c>).</summary>
        public static Tensor Hardswish(Tensor x) => Eager.Run(OpKind.Hardswish, x);

        /// <summary>Mean over every row of −log softmax(logits)[label]; logits [N,…,C], integer labels [N,…]: one per
        /// row, a row being every axis but the last.</summary>
        public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels) => Eager.Run(OpKind.SoftmaxCrossEntropy, logits, labels);

        /// <summary>The mean of (prediction − target)² over every element (<c>torch.nn.functional.mse_loss</c>).</summary>
        public static Tensor MseLoss(Tensor prediction, Tensor target) => Eager.Run(OpKind.MseLoss, prediction, target);

        /// <summary>The mean of |prediction − target| over every element (<c>torch.nn.functional.l1_loss</c>).</summary>
        public static Tensor L1Loss(Tensor prediction, Tensor target) => Eager.Run(OpKind.L1Loss, prediction, target);

        /// <summary>The mean binary cross-entropy of logits against targets in [0, 1], computed stably
        /// (<c>torch.nn.functional.binary_cross_entropy_with_logits</c>).</summary>
        public static Tensor BceWithLogitsLoss(Tensor logits, Tensor target) => Eager.Run(OpKind.BceWithLogitsLoss, logits, target);

        /// <summary>softmax over the last axis.</summary>
        public static Tensor Softmax(Tensor x) => Eager.Run(OpKind.Softmax, x);

        /// <summary>Softmax over the last axis of square blocks [..., T, T] of attention scores, row i over its first
        /// i + 1 entries: each token attends to itself and those before it.</summary>
        public static Tensor CausalSoftmax(Tensor x) => Eager.Run(OpKind.CausalSoftmax, x);

        /// <summary>log softmax over the last axis.</summary>
        public static Tensor LogSoftmax(Tensor x) => Eager.Run(OpKind.LogSoftmax, x);

        /// <summary>Sum over <paramref name="axis"/> (counted from the end when negative; the last by default), which
        /// is dropped: [.., n, ..] → [.., ..].</summary>
        public static Tensor Sum(Tensor x, int axis = -1) => Eager.Run(OpKind.Sum, new double[] { axis }, x);

        /// <summary>Mean over <paramref name="axis"/> (the last by default), which is dropped.</summary>
        public static Tensor Mean(Tensor x, int axis = -1) => Eager.Run(OpKind.Mean, new double[] { axis }, x);

        /// <summary>The maximum over an axis (the last by default), dropped unless <paramref name="keepDim"/> (<c>torch.max(x, dim).values</c>); the gradient flows to each row's
        /// first maximum.</summary>
        public static Tensor Max(Tensor x, int axis = -1, bool keepDim = false) => Eager.Run(OpKind.Max, new double[] { axis, keepDim ? 1 : 0 }, x);

        /// <summary>The minimum over an axis (<c>torch.min(x, dim, keepdim).values</c>); the gradient goes to the first minimum.</summary>
        public static Tensor Min(Tensor x, int axis = -1, bool keepDim = false) => Eager.Run(OpKind.Min, new double[] { axis, keepDim ? 1 : 0 }, x);

        /// <summary>The position of the first maximum over an axis (<c>torch.argmax</c>), as integers.</summary>
        public static Tensor ArgMax(Tensor x, int axis = -1, bool keepDim = false) => Eager.Run(OpKind.ArgMax, new double[] { axis, keepDim ? 1 : 0 }, x);

        /// <summary>The position of the first minimum over an axis (<c>torch.argmin</c>), as integers.</summary>
        public static Tensor ArgMin(Tensor x, int axis = -1, bool keepDim = false) => Eager.Run(OpKind.ArgMin, new double[] { axis, keepDim ? 1 : 0 }, x);

        /// <summary>Training-time dropout: each element kept with probability 1 − p and scaled by 1/(1 − p). Eagerly,
        /// every call draws a fresh mask; a compiled plan keys the mask by the step and the element's place in the
        /// whole tensor, so its devices agree, and its inference plan leaves the values alone.</summary>
        public static Tensor Dropout(Tensor x, double p) => Eager.Run(OpKind.Dropout, new[] { p }, x);

        /// <summary>Reorders the axes: the result's axis i is x's axis <paramref name="axes"/>[i], as <c>torch.permute</c>.</summary>
        public static Tensor Permute(Tensor x, params int[] axes) => Eager.Run(OpKind.Permute, Numbers(axes), x);

        /// <summary>The same elements under a new shape; one dimension may be −1, inferred from the others.</summary>
        public static Tensor Reshape(Tensor x, params int[] shape) => Eager.Run(OpKind.Reshape, Numbers(shape), x);

        /// <summary>Entries [start, start + length) of <paramref name="axis"/>.</summary>
        public static Tensor Slice(Tensor x, int axis, int start, int length) => Eager.Run(OpKind.Slice, new double[] { axis, start, length }, x);

        /// <summary><paramref name="b"/> after <paramref name="a"/> along <paramref name="axis"/>.</summary>
        public static Tensor Concat(Tensor a, Tensor b, int axis) => Eager.Run(OpKind.Concat, new double[] { axis }, a, b);

        /// <summary>The tensors one after another along <paramref name="axis"/> (<c>torch.cat</c>).</summary>
        public static Tensor Concat(Tensor[] tensors, int axis) => Eager.Run(OpKind.Concat, new double[] { axis }, tensors);

        /// <summary>Tensors of one shape joined along a new axis (<c>torch.stack</c>).</summary>
        public static Tensor Stack(Tensor[] tensors, int axis = 0) => Eager.Run(OpKind.Stack, new double[] { axis }, tensors);

        /// <summary>x cut into pieces of <paramref name="size"/> along <paramref name="axis"/>, the last perhaps shorter
        /// (<c>torch.split</c>). In Forward, take the parts as <c>var (a, b) = Split(…)</c> or <c>parts[i]</c>.</summary>
        public static Tensor[] Split(Tensor x, int size, int axis = 0) => Parts(OpKind.Split, x, size, axis);

        /// <summary>x cut into <paramref name="chunks"/> pieces of ⌈length / chunks⌉ along <paramref name="axis"/>
        /// (<c>torch.chunk</c>; fewer where those cover the axis sooner).</summary>
        public static Tensor[] Chunk(Tensor x, int chunks, int axis = 0) => Parts(OpKind.Chunk, x, chunks, axis);

        private static Tensor[] Parts(OpKind kind, Tensor x, int written, int axis)
        {
            var op = (SplitPartOp)OpRegistry.Get(kind);
            if (written < 1) throw new ArgumentException($"{kind} takes a positive {op.Cuts}, not {written}.");
            if (axis < -x.Rank || axis >= x.Rank) throw new ArgumentException($"{kind}: axis {axis} is out of range for Tensor{x.ShapeText}.", nameof(axis));
            int parts = op.Cut(x.Shape[(axis + x.Rank) % x.Rank], written).Parts;
            var result = new Tensor[parts];
            for (int i = 0; i < parts; i++) result[i] = Eager.Run(kind, new double[] { written, axis, i, parts }, x);
            return result;
        }

        /// <summary>Swaps the last two axes: a matrix's transpose, or each matrix's of a batch.</summary>
        public static Tensor Transpose(Tensor x) => Eager.Run(OpKind.Transpose, x);

        /// <summary>Each row normalised over the last axis to mean 0, variance 1 (<c>F.layer_norm</c> without the affine part).</summary>
        public static Tensor LayerNorm(Tensor x, double eps = 1e-5) => Eager.Run(OpKind.LayerNorm, new[] { eps }, x);

        /// <summary>Each row of the last axis normalised, scaled by <paramref name="gamma"/> and shifted by
        /// <paramref name="beta"/> (<c>nn.LayerNorm</c>'s affine form; BERT's eps is 1e-12).</summary>
        public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, double eps = 1e-5) => Eager.Run(OpKind.LayerNorm, new[] { eps }, x, gamma, beta);

        /// <summary>Group norm (<c>F.group_norm</c>): the channels of x [N, C, …] in <paramref name="groups"/> groups, each
        /// sample's group normalised over its channels and positions, then each channel scaled and shifted.</summary>
        public static Tensor GroupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, double eps = 1e-5)
            => Eager.Run(OpKind.GroupNorm, new[] { groups, eps }, x, gamma, beta);

        /// <summary>Looks up the rows of <paramref name="table"/> [V, D] named by integer <paramref name="ids"/> [..],
        /// giving [.., D].</summary>
        public static Tensor Embedding(Tensor ids, Tensor table)
        {
            // A plan's devices may hold part of a table and skip the ids of the others; whole, every id must exist.
            if (table.Rank == 2 && ids.IsInteger)
                foreach (int id in ids.IntegerData)
                    if ((uint)id >= (uint)table.Shape[0]) throw new ArgumentException($"Embedding: id {id} is outside the table's {table.Shape[0]} rows.");
            return Eager.Run(OpKind.Embedding, ids, table);
        }

        /// <summary>Each sample's bag of integer <paramref name="ids"/> [N, K] looked up in <paramref name="table"/> [V, D]
        /// and summed, or averaged with <see cref="BagMode.Mean"/>, into one row: [N, D] (<c>torch.nn.EmbeddingBag</c>, K
        /// ids per sample). A table declared split by vocabulary (<c>Sbp("S(0)")</c>) is updated from the rows its bags
        /// touched.</summary>
        public static Tensor EmbeddingBag(Tensor ids, Tensor table, BagMode mode = BagMode.Sum)
        {
            if (table.Rank == 2 && ids.IsInteger)
                foreach (int id in ids.IntegerData)
                    if ((uint)id >= (uint)table.Shape[0]) throw new ArgumentException($"EmbeddingBag: id {id} is outside the table's {table.Shape[0]} rows.");
            return Eager.Run(OpKind.EmbeddingBag, new double[] { (int)mode }, ids, table);
        }

        /// <summary>2-D convolution (<c>torch.nn.functional.conv2d</c>): x [N, C, H, W], w [O, C / groups, kH, kW], b [O]
        /// or null → [N, O, H', W'], H' = (H + 2·padding − dilation·(kH − 1) − 1) / stride + 1, zero padding. In a plan
        /// its batch, output channels or input channels may be split over devices.</summary>
        public static Tensor Conv2d(Tensor x, Tensor w, Tensor? b = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
            => Eager.Run(OpKind.Conv2d, new double[] { stride, padding, dilation, groups }, b == null ? new[] { x, w } : new[] { x, w, b });

        /// <summary>1-D convolution (<c>torch.nn.functional.conv1d</c>): x [N, C, L], w [O, C / groups, k], b [O] or null
        /// → [N, O, L'], L' = (L + 2·padding − dilation·(k − 1) − 1) / stride + 1.</summary>
        public static Tensor Conv1d(Tensor x, Tensor w, Tensor? b = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
            => Eager.Run(OpKind.Conv1d, new double[] { stride, padding, dilation, groups }, b == null ? new[] { x, w } : new[] { x, w, b });

        /// <summary>The transposed convolution (<c>conv_transpose2d</c>, the gradient of a convolution with respect to
        /// its input, a learned upsampling): x [N, C, H, W], w [C, O / groups, kH, kW], b [O] or null → [N, O, H', W'],
        /// H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1.</summary>
        public static Tensor ConvTranspose2d(Tensor x, Tensor w, Tensor? b = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1)
            => Eager.Run(OpKind.ConvTranspose2d, new double[] { stride, padding, outputPadding, groups, dilation }, b == null ? new[] { x, w } : new[] { x, w, b });

        /// <summary>x widened along its last axes (<c>F.pad</c>): <paramref name="pads"/> holds a before and an after width
        /// per axis, the last axis first; <paramref name="mode"/> "constant" writes <paramref name="value"/>, "reflect"
        /// mirrors x about its edge, "replicate" repeats the edge.</summary>
        public static Tensor Pad(Tensor x, int[] pads, string mode = "constant", double value = 0)
        {
            var args = new double[pads.Length + 2];
            for (int i = 0; i < pads.Length; i++) args[i] = pads[i];
            args[pads.Length] = OpRegistry.Get(OpKind.Pad).Choice(nameof(mode), mode);
            args[pads.Length + 1] = value;
            return Eager.Run(OpKind.Pad, args, x);
        }

        /// <summary>x [N, C, H, W] enlarged <paramref name="scale"/> times along H and W (<c>F.interpolate</c> with
        /// <c>align_corners=False</c>): "nearest" repeats pixels, "bilinear" interpolates.</summary>
        public static Tensor Upsample(Tensor x, int scale, string mode = "nearest")
            => Eager.Run(OpKind.Upsample, new[] { scale, OpRegistry.Get(OpKind.Upsample).Choice(nameof(mode), mode) }, x);

        /// <summary>x read along <paramref name="axis"/> at <paramref name="index"/> (<c>torch.gather</c>): y has the
        /// index's shape, y[i, j] = x[i, index[i, j]] for axis 1. The index holds integers (ids, ArgMax's positions).</summary>
        public static Tensor Gather(Tensor x, int axis, Tensor index) => Eager.Run(OpKind.Gather, new double[] { axis }, x, index);

        /// <summary>The entries of x at <paramref name="ids"/> [k] along <paramref name="axis"/> (<c>torch.index_select</c>).</summary>
        public static Tensor IndexSelect(Tensor x, int axis, Tensor ids) => Eager.Run(OpKind.IndexSelect, new double[] { axis }, x, ids);

        /// <summary>The larger of a and b element by element, broadcasting (<c>torch.maximum</c>); at ties each gets half the gradient.</summary>
        public static Tensor Maximum(Tensor a, Tensor b) => Eager.Run(OpKind.Maximum, a, b);

        /// <summary>The smaller of a and b element by element, broadcasting (<c>torch.minimum</c>).</summary>
        public static Tensor Minimum(Tensor a, Tensor b) => Eager.Run(OpKind.Minimum, a, b);

        /// <summary>The boolean mask of a &gt; b element by element, broadcasting (<c>torch.gt</c>; also <c>a &gt; b</c>): for
        /// <see cref="Where"/> and <see cref="MaskedFill"/>. NaN compares false.</summary>
        public static Tensor Gt(Tensor a, Tensor b) => Eager.Run(OpKind.Gt, a, b);
        /// <summary>The mask of x &gt; <paramref name="value"/>.</summary>
        public static Tensor Gt(Tensor x, double value) => Eager.Run(OpKind.Gt, new[] { value }, x);
        /// <summary>The mask of a &lt; b (<c>torch.lt</c>; also <c>a &lt; b</c>).</summary>
        public static Tensor Lt(Tensor a, Tensor b) => Eager.Run(OpKind.Lt, a, b);
        public static Tensor Lt(Tensor x, double value) => Eager.Run(OpKind.Lt, new[] { value }, x);
        /// <summary>The mask of a ≥ b (<c>torch.ge</c>; also <c>a &gt;= b</c>).</summary>
        public static Tensor Ge(Tensor a, Tensor b) => Eager.Run(OpKind.Ge, a, b);
        public static Tensor Ge(Tensor x, double value) => Eager.Run(OpKind.Ge, new[] { value }, x);
        /// <summary>The mask of a ≤ b (<c>torch.le</c>; also <c>a &lt;= b</c>).</summary>
        public static Tensor Le(Tensor a, Tensor b) => Eager.Run(OpKind.Le, a, b);
        public static Tensor Le(Tensor x, double value) => Eager.Run(OpKind.Le, new[] { value }, x);
        /// <summary>The mask of a = b (<c>torch.eq</c>). C#'s <c>==</c> stays reference equality on tensors: overloading it
        /// would turn every <c>t == null</c> into a tensor.</summary>
        public static Tensor Eq(Tensor a, Tensor b) => Eager.Run(OpKind.Eq, a, b);
        public static Tensor Eq(Tensor x, double value) => Eager.Run(OpKind.Eq, new[] { value }, x);
        /// <summary>The mask of a ≠ b (<c>torch.ne</c>); NaN differs from everything.</summary>
        public static Tensor Ne(Tensor a, Tensor b) => Eager.Run(OpKind.Ne, a, b);
        public static Tensor Ne(Tensor x, double value) => Eager.Run(OpKind.Ne, new[] { value }, x);

        /// <summary>a where <paramref name="mask"/> holds, b elsewhere (<c>torch.where</c>), the three broadcasting
        /// together; the gradient goes to the side chosen.</summary>
        public static Tensor Where(Tensor mask, Tensor a, Tensor b) => Eager.Run(OpKind.Where, mask, a, b);

        /// <summary>x with <paramref name="value"/> where <paramref name="mask"/> holds, the mask broadcasting to x
        /// (<c>x.masked_fill(mask, value)</c>): attention's padding set to −∞.</summary>
        public static Tensor MaskedFill(Tensor x, Tensor mask, double value) => Eager.Run(OpKind.MaskedFill, new[] { value }, x, mask);

        /// <summary>The running sum along <paramref name="axis"/> (<c>torch.cumsum</c>).</summary>
        public static Tensor Cumsum(Tensor x, int axis) => Eager.Run(OpKind.Cumsum, new double[] { axis }, x);

        /// <summary><c>torch.squeeze(x, dim)</c>: the axis dropped where its length is 1, x itself otherwise.</summary>
        public static Tensor Squeeze(Tensor x, int axis) => Eager.Run(OpKind.Squeeze, new double[] { axis }, x);

        /// <summary><c>torch.unsqueeze(x, dim)</c>: a new axis of length 1.</summary>
        public static Tensor Unsqueeze(Tensor x, int axis) => Eager.Run(OpKind.Unsqueeze, new double[] { axis }, x);

        /// <summary><c>x.expand(sizes)</c>: axes of length 1 (and new leading ones) repeated; −1 keeps an axis.</summary>
        public static Tensor Expand(Tensor x, params int[] sizes) => Eager.Run(OpKind.Expand, System.Array.ConvertAll(sizes, s => (double)s), x);

        /// <summary>x·wᵀ + b with PyTorch's layout (<c>F.linear</c>): w [out, in], b [out]; x [.., in] of any rank.</summary>
        public static Tensor Linear(Tensor x, Tensor w, Tensor b) => Eager.Run(OpKind.Linear, x, w, b);

        /// <summary>x·wᵀ with PyTorch's layout, w [out, in], without a bias.</summary>
        public static Tensor Linear(Tensor x, Tensor w) => Eager.Run(OpKind.Linear, x, w);

        /// <summary>The maximum of each <paramref name="kernel"/>² window of x [N, C, H, W], windows
        /// <paramref name="stride"/> apart over x bordered by <paramref name="padding"/> (never a maximum), the last
        /// partial window kept with <paramref name="ceilMode"/> (<c>max_pool2d</c>); the gradient flows to each window's first maximum.</summary>
        public static Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0, bool ceilMode = false)
            => Eager.Run(OpKind.MaxPool2d, new double[] { kernel, stride, padding, ceilMode ? 1 : 0 }, x);

        /// <summary>The mean of each <paramref name="kernel"/>² window of x [N, C, H, W] bordered by zeros of
        /// <paramref name="padding"/>, counted in the divisor with <paramref name="countIncludePad"/> (<c>avg_pool2d</c>);
        /// a window the size of the map is global average pooling.</summary>
        public static Tensor AvgPool2d(Tensor x, int kernel, int stride, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
            => Eager.Run(OpKind.AvgPool2d, new double[] { kernel, stride, padding, ceilMode ? 1 : 0, countIncludePad ? 1 : 0 }, x);

        /// <summary>The mean of each of <paramref name="outHeight"/>×<paramref name="outWidth"/> windows that cut x
        /// [N, C, H, W] as PyTorch's <c>adaptive_avg_pool2d</c> does; 1×1 is global average pooling.</summary>
        public static Tensor AdaptiveAvgPool2d(Tensor x, int outHeight, int outWidth) => Eager.Run(OpKind.AdaptiveAvgPool2d, new double[] { outHeight, outWidth }, x);

        /// <summary>The maximum of each adaptive window (<c>adaptive_max_pool2d</c>'s values).</summary>
        public static Tensor AdaptiveMaxPool2d(Tensor x, int outHeight, int outWidth) => Eager.Run(OpKind.AdaptiveMaxPool2d, new double[] { outHeight, outWidth }, x);

        /// <summary>Batch norm over x [N, C, H, W] or [N, C] (PyTorch's BatchNorm2d and BatchNorm1d): each channel
        /// normalised to mean 0 and variance 1, then scaled by <paramref name="gamma"/> and shifted by <paramref name="beta"/>
        /// ([Weight(C)], gamma with Fill = 1). Training uses the batch's statistics and updates the running ones in place
        /// ([Buffer(C)] fields; the variance with Fill = 1) as PyTorch does: r ← (1 − momentum)·r + momentum·batch
        /// statistic, the variance unbiased. Evaluation (Eval(), Infer) uses the running statistics.</summary>
        public static Tensor BatchNorm2d(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float momentum = 0.1f, float eps = 1e-5f)
            => Eager.Run(OpKind.BatchNorm2d, new double[] { momentum, eps }, x, gamma, beta, runningMean, runningVar);

        /// <summary>[N, …] → [N, rest]: every axis after the batch axis flattened into one.</summary>
        public static Tensor Flatten(Tensor x) => Eager.Run(OpKind.Flatten, x);

        private static double[] Numbers(int[] values) => Array.ConvertAll(values, v => (double)v);
    }
}
