using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Testing;

namespace OneFlow.Dsl.Tests
{
    /// <summary>One op call and its PyTorch equivalent: <see cref="Torch"/> is a Python expression over the operands
    /// a, b, c, … (integer operands as torch.long) and the helpers of Torch/op_agreement.py.</summary>
    public sealed record OpReference(string Name, OpKind Kind, double[] Args, string Torch, Operand[] Operands)
    {
        /// <summary>Operands the op writes in place (batch norm's running statistics, a decoding cache): compared after
        /// the call. They get no gradient.</summary>
        public int[] Updated { get; init; } = Array.Empty<int>();

        /// <summary>The call evaluates (PyTorch's <c>model.eval()</c>) instead of training.</summary>
        public bool Evaluating { get; init; }

        /// <summary>Float operands that are not differentiated (running statistics read in evaluation).</summary>
        public int[] Constants { get; init; } = Array.Empty<int>();

        public bool Differentiable => OpRegistry.Get(Kind).NotDifferentiable == null;

        /// <summary>The float operands whose gradients are compared: all but the updated and the constant ones.</summary>
        public int[] Differentiated => Differentiable
            ? Enumerable.Range(0, Operands.Length).Where(i => Operands[i].Ids == 0 && !Updated.Contains(i) && !Constants.Contains(i)).ToArray()
            : Array.Empty<int>();

        /// <summary>Seeds the case's random draws: its name's hash, the same in every process.</summary>
        public int Seed => Name.Aggregate(17, (h, c) => unchecked(h * 31 + c));

        /// <summary>The operands, float[] or int[], the same at every call.</summary>
        public Array[] Draw() => new OpSample(Name, Kind, Operands, null).Inputs(Seed);

        public override string ToString() => Name;
    }

    /// <summary>Every op kind with a PyTorch equivalent, called as users call it (a composite whole, as its user-facing
    /// op), at shapes that reach the kernels' vector code: a last axis of two full 512-bit vectors and a tail (37, 131),
    /// batches and channels that are not multiples of 4. Gradient kinds are reached through the gradient rules of the
    /// ops that emit them. <see cref="Skipped"/> gives every other kind and why.</summary>
    public static class OpReferences
    {
        private static OpReference R(string name, OpKind kind, string torch, params Operand[] operands) => new(name, kind, Array.Empty<double>(), torch, operands);
        private static OpReference R(string name, OpKind kind, double[] args, string torch, params Operand[] operands) => new(name, kind, args, torch, operands);
        private static Operand O(params int[] dims) => Operand.Of(dims);
        private static Operand Positive(params int[] dims) => Operand.Positive(dims);
        private static Operand Kinked(params int[] dims) => Operand.Kinked(dims);
        private static Operand Distinct(params int[] dims) => Operand.Distinct(dims);
        private static Operand Tied(params int[] dims) => Operand.Tied(dims);
        private static Operand Ids(int below, params int[] dims) => Operand.IdsBelow(below, dims);
        private static Operand Mask(params int[] dims) => Operand.MaskOf(dims);

        public static readonly OpReference[] All =
        {
            R("MatMul", OpKind.MatMul, "a @ b", O(5, 37), O(37, 19)),
            R("MatMul wide", OpKind.MatMul, "a @ b", O(3, 131), O(131, 37)),
            R("MatMul batched", OpKind.MatMul, "a @ b", O(3, 5, 37), O(3, 37, 7)),
            R("Add", OpKind.Add, "a + b", O(5, 37), O(5, 37)),
            R("Add bias", OpKind.Add, "a + b", O(5, 131), O(131)),
            R("Add both broadcast", OpKind.Add, "a + b", O(3, 1, 37), O(5, 1)),
            R("Sub", OpKind.Sub, "a - b", O(3, 131), O(3, 131)),
            R("Sub column", OpKind.Sub, "a - b", O(5, 37), O(5, 1)),
            R("Mul", OpKind.Mul, "a * b", O(5, 37), O(5, 37)),
            R("Mul broadcast", OpKind.Mul, "a * b", O(3, 5, 37), O(5, 37)),
            R("Div", OpKind.Div, "a / b", O(5, 37), Positive(5, 37)),
            R("Div by a row", OpKind.Div, "a / b", O(3, 131), Positive(131)),
            R("Neg", OpKind.Neg, "-a", O(5, 37)),
            R("Scale", OpKind.Scale, new[] { -1.5 }, "a * -1.5", O(3, 131)),
            R("AddScalar", OpKind.AddScalar, new[] { 0.75 }, "a + 0.75", O(5, 37)),
            R("Reciprocal", OpKind.Reciprocal, "1 / a", Positive(3, 131)),
            R("Relu", OpKind.Relu, "torch.relu(a)", Kinked(5, 131)),
            R("Gelu", OpKind.Gelu, new[] { 0.0 }, "F.gelu(a)", new Operand(new Shape(5, 131), -6, 6)),
            R("Gelu tanh", OpKind.Gelu, new[] { 1.0 }, "F.gelu(a, approximate='tanh')", new Operand(new Shape(3, 131), -6, 6)),
            R("Tanh", OpKind.Tanh, "torch.tanh(a)", new Operand(new Shape(3, 131), -4, 4)),
            R("Sigmoid", OpKind.Sigmoid, "torch.sigmoid(a)", new Operand(new Shape(5, 37), -8, 8)),
            R("Exp", OpKind.Exp, "torch.exp(a)", O(5, 37)),
            R("Log", OpKind.Log, "torch.log(a)", Positive(3, 131)),
            R("Sqrt", OpKind.Sqrt, "torch.sqrt(a)", Positive(5, 37)),
            R("Abs", OpKind.Abs, "torch.abs(a)", Kinked(3, 131)),
            R("Square", OpKind.Square, "torch.square(a)", O(5, 37)),
            R("Softplus", OpKind.Softplus, "F.softplus(a, threshold=1000)", new Operand(new Shape(5, 131), -25, 25)),
            R("Erf", OpKind.Erf, "torch.erf(a)", new Operand(new Shape(5, 131), -3, 3)),
            R("Sin", OpKind.Sin, "torch.sin(a)", new Operand(new Shape(5, 37), -6, 6)),
            R("Cos", OpKind.Cos, "torch.cos(a)", new Operand(new Shape(3, 131), -6, 6)),
            R("Pow", OpKind.Pow, new[] { 3.0 }, "torch.pow(a, 3.0)", O(5, 37)),
            R("Pow fractional", OpKind.Pow, new[] { 0.5 }, "torch.pow(a, 0.5)", Positive(3, 131)),
            R("Pow negative", OpKind.Pow, new[] { -1.5 }, "torch.pow(a, -1.5)", Positive(5, 37)),
            R("Pow zero", OpKind.Pow, new[] { 0.0 }, "torch.pow(a, 0.0)", O(5, 37)),
            R("Silu", OpKind.Silu, "F.silu(a)", new Operand(new Shape(5, 131), -8, 8)),
            R("Clamp", OpKind.Clamp, new[] { -0.7, 1.3 }, "torch.clamp(a, -0.7, 1.3)", O(5, 131)),
            R("Clamp open below", OpKind.Clamp, new[] { double.NegativeInfinity, 0.5 }, "torch.clamp(a, max=0.5)", O(3, 37)),
            R("Clamp open above", OpKind.Clamp, new[] { -0.25, double.PositiveInfinity }, "torch.clamp(a, min=-0.25)", O(3, 37)),
            R("Relu6", OpKind.Relu6, "F.relu6(a)", new Operand(new Shape(5, 131), -3, 9)),
            R("Hardtanh", OpKind.Hardtanh, new[] { -1.0, 1.0 }, "F.hardtanh(a)", O(5, 37)),
            R("Hardtanh bounds", OpKind.Hardtanh, new[] { -0.5, 2.0 }, "F.hardtanh(a, -0.5, 2.0)", new Operand(new Shape(3, 131), -3, 3)),
            R("Hardswish", OpKind.Hardswish, "F.hardswish(a)", new Operand(new Shape(5, 131), -5, 5)),
            R("LeakyRelu", OpKind.LeakyRelu, new[] { 0.01 }, "F.leaky_relu(a)", Kinked(5, 37)),
            R("LeakyRelu slope", OpKind.LeakyRelu, new[] { 0.2 }, "F.leaky_relu(a, 0.2)", Kinked(3, 131)),
            R("Elu", OpKind.Elu, new[] { 1.0 }, "F.elu(a)", new Operand(new Shape(5, 37), -4, 4)),
            R("Elu alpha", OpKind.Elu, new[] { 0.5 }, "F.elu(a, alpha=0.5)", new Operand(new Shape(3, 131), -4, 4)),
            R("Softmax", OpKind.Softmax, "torch.softmax(a, -1)", new Operand(new Shape(5, 131), -6, 6)),
            R("LogSoftmax", OpKind.LogSoftmax, "torch.log_softmax(a, -1)", new Operand(new Shape(3, 2, 37), -6, 6)),
            R("CausalSoftmax", OpKind.CausalSoftmax, "causal_softmax(a)", O(3, 37, 37)),
            R("Sum last axis", OpKind.Sum, new double[] { -1 }, "a.sum(-1)", O(3, 5, 131)),
            R("Sum middle axis", OpKind.Sum, new double[] { 1 }, "a.sum(1)", O(3, 5, 37)),
            R("Mean first axis", OpKind.Mean, new double[] { 0 }, "a.mean(0)", O(5, 3, 37)),
            R("Mean last axis", OpKind.Mean, new double[] { -1 }, "a.mean(-1)", O(5, 131)),
            R("Max", OpKind.MaxLast, "a.amax(-1)", Distinct(5, 131)),
            R("Max of tied values", OpKind.MaxLast, "a.max(-1).values", Tied(5, 131)),
            R("Max over an axis", OpKind.Max, new double[] { 1, 0 }, "a.max(1).values", Distinct(3, 5, 37)),
            R("Max keeping the axis, tied values", OpKind.Max, new double[] { 0, 1 }, "a.max(0, keepdim=True).values", Tied(5, 37)),
            R("Min", OpKind.Min, new double[] { -1, 0 }, "a.min(-1).values", Distinct(5, 131)),
            R("Min over the first axis, tied values", OpKind.Min, new double[] { 0, 0 }, "a.min(0).values", Tied(5, 37)),
            R("ArgMax", OpKind.ArgMax, new double[] { 1, 0 }, "a.argmax(1)", O(3, 5, 37)),
            R("ArgMax of tied values", OpKind.ArgMax, new double[] { -1, 1 }, "a.argmax(-1, keepdim=True)", Tied(5, 37)),
            R("ArgMin", OpKind.ArgMin, new double[] { 0, 0 }, "a.argmin(0)", Tied(5, 37)),
            R("Transpose", OpKind.Transpose, "a.transpose(-1, -2)", O(3, 5, 37)),
            R("Permute", OpKind.Permute, new double[] { 0, 2, 1, 3 }, "a.permute(0, 2, 1, 3)", O(3, 5, 7, 37)),
            R("Reshape", OpKind.Reshape, new double[] { -1, 5, 37 }, "a.reshape(-1, 5, 37)", O(3, 185)),
            R("Flatten", OpKind.Flatten, "a.flatten(1)", O(3, 5, 7, 37)),
            R("Slice", OpKind.Slice, new double[] { 1, 3, 34 }, "a.narrow(1, 3, 34)", O(5, 37)),
            R("Slice first axis", OpKind.Slice, new double[] { 0, 1, 3 }, "a.narrow(0, 1, 3)", O(5, 131)),
            R("Concat", OpKind.Concat, new double[] { 1 }, "torch.cat([a, b], 1)", O(5, 37), O(5, 94)),
            R("Concat first axis", OpKind.Concat, new double[] { 0 }, "torch.cat([a, b], 0)", O(3, 37), O(2, 37)),
            R("LayerNorm", OpKind.LayerNorm, "F.layer_norm(a, a.shape[-1:], eps=1e-5)", O(5, 131)),
            R("LayerNorm off zero", OpKind.LayerNorm, "F.layer_norm(a, a.shape[-1:], eps=1e-5)", new Operand(new Shape(3, 37), 998, 1002)),
            R("LayerNorm affine", OpKind.LayerNorm, new[] { 1e-5 }, "F.layer_norm(a, a.shape[-1:], b, c, eps=1e-5)", O(5, 131), Positive(131), O(131)),
            R("LayerNorm affine of BERT's eps", OpKind.LayerNorm, new[] { 1e-12 }, "F.layer_norm(a, a.shape[-1:], b, c, eps=1e-12)", O(3, 2, 37), Positive(37), O(37)),
            R("GroupNorm", OpKind.GroupNorm, new[] { 2, 1e-5 }, "F.group_norm(a, 2, b, c, eps=1e-5)", O(3, 4, 5, 7), Positive(4), O(4)),
            R("GroupNorm of one group per channel", OpKind.GroupNorm, new[] { 6, 1e-5 }, "F.group_norm(a, 6, b, c, eps=1e-5)", O(5, 6, 3, 37), Positive(6), O(6)),
            R("GroupNorm of [N, C]", OpKind.GroupNorm, new[] { 3, 1e-3 }, "F.group_norm(a, 3, b, c, eps=1e-3)", O(7, 6), Positive(6), O(6)),
            R("SumSquares", OpKind.SumSquares, "a.square().sum()", O(5, 131)),
            R("Embedding", OpKind.Embedding, "F.embedding(a, b)", Ids(11, 3, 5), O(11, 37)),
            R("EmbeddingBag", OpKind.EmbeddingBag, new double[] { 0 }, "F.embedding_bag(a, b, mode='sum')", Ids(13, 5, 3), O(13, 37)),
            R("EmbeddingBag mean", OpKind.EmbeddingBag, new double[] { 1 }, "F.embedding_bag(a, b, mode='mean')", Ids(13, 3, 7), O(13, 131)),
            R("SoftmaxCrossEntropy", OpKind.SoftmaxCrossEntropy, "F.cross_entropy(a, b)", new Operand(new Shape(5, 131), -6, 6), Ids(131, 5)),
            R("SoftmaxCrossEntropy per token", OpKind.SoftmaxCrossEntropy, "F.cross_entropy(a.reshape(-1, 37), b.reshape(-1))", O(3, 5, 37), Ids(37, 3, 5)),
            R("MseLoss", OpKind.MseLoss, "F.mse_loss(a, b)", O(5, 37), O(5, 37)),
            R("L1Loss", OpKind.L1Loss, "F.l1_loss(a, b)", O(3, 131), new Operand(new Shape(3, 131), 5, 6)),
            R("BceWithLogitsLoss", OpKind.BceWithLogitsLoss, "F.binary_cross_entropy_with_logits(a, b)", new Operand(new Shape(5, 37), -25, 25), new Operand(new Shape(5, 37), 0, 1)),
            R("Conv2d", OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, "F.conv2d(a, b, stride=1, padding=1)", O(3, 5, 7, 37), O(6, 5, 3, 3)),
            R("Conv2d with bias", OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, "F.conv2d(a, b, c, padding=1)", O(3, 5, 7, 37), O(6, 5, 3, 3), O(6)),
            R("Conv2d dilated", OpKind.Conv2d, new double[] { 1, 2, 2, 1 }, "F.conv2d(a, b, padding=2, dilation=2)", O(3, 5, 7, 37), O(6, 5, 3, 3)),
            R("Conv2d dilated, strided and grouped, with bias", OpKind.Conv2d, new double[] { 2, 1, 3, 2 }, "F.conv2d(a, b, c, stride=2, padding=1, dilation=3, groups=2)",
                O(3, 4, 9, 37), O(6, 2, 3, 2), O(6)),
            R("ConvTranspose2d", OpKind.ConvTranspose2d, new double[] { 2, 1, 1, 1, 1 }, "F.conv_transpose2d(a, b, c, stride=2, padding=1, output_padding=1)",
                O(3, 5, 4, 19), O(5, 3, 3, 3), O(3)),
            R("ConvTranspose2d unpadded", OpKind.ConvTranspose2d, new double[] { 1, 0, 0, 1, 1 }, "F.conv_transpose2d(a, b)", O(3, 5, 3, 37), O(5, 4, 2, 2)),
            R("ConvTranspose2d grouped and dilated", OpKind.ConvTranspose2d, new double[] { 2, 1, 0, 2, 2 },
                "F.conv_transpose2d(a, b, c, stride=2, padding=1, groups=2, dilation=2)", O(2, 4, 3, 17), O(4, 3, 3, 3), O(6)),
            R("Conv1d", OpKind.Conv1d, new double[] { 1, 1, 1, 1 }, "F.conv1d(a, b, c, padding=1)", O(3, 5, 37), O(6, 5, 3), O(6)),
            R("Conv1d strided, dilated and grouped", OpKind.Conv1d, new double[] { 2, 2, 2, 2 }, "F.conv1d(a, b, stride=2, padding=2, dilation=2, groups=2)", O(3, 4, 131), O(6, 2, 3)),
            R("Pad constant", OpKind.Pad, new double[] { 1, 2, 2, 0, 0, 0.5 }, "F.pad(a, (1, 2, 2, 0), value=0.5)", O(3, 5, 37)),
            R("Pad reflect", OpKind.Pad, new double[] { 2, 3, 1, 0 }, "F.pad(a, (2, 3), mode='reflect')", O(3, 4, 37)),
            R("Pad replicate in two axes", OpKind.Pad, new double[] { 1, 2, 3, 1, 2, 0 }, "F.pad(a, (1, 2, 3, 1), mode='replicate')", O(2, 3, 5, 37)),
            R("Pad reflect in two axes", OpKind.Pad, new double[] { 2, 1, 1, 3, 1, 0 }, "F.pad(a, (2, 1, 1, 3), mode='reflect')", O(2, 3, 5, 37)),
            R("Upsample nearest", OpKind.Upsample, new double[] { 2, 0 }, "F.interpolate(a, scale_factor=2, mode='nearest')", O(3, 5, 4, 19)),
            R("Upsample bilinear", OpKind.Upsample, new double[] { 3, 1 }, "F.interpolate(a, scale_factor=3, mode='bilinear', align_corners=False)", O(3, 5, 4, 13)),
            R("Upsample bilinear by 2", OpKind.Upsample, new double[] { 2, 1 }, "F.interpolate(a, scale_factor=2, mode='bilinear', align_corners=False)", O(2, 3, 5, 37)),
            R("Conv2d strided", OpKind.Conv2d, new double[] { 2, 1, 1, 1 }, "F.conv2d(a, b, stride=2, padding=1)", O(3, 5, 9, 37), O(7, 5, 3, 3)),
            R("Conv2d grouped", OpKind.Conv2d, new double[] { 1, 0, 1, 3 }, "F.conv2d(a, b, groups=3)", O(3, 6, 5, 37), O(9, 2, 3, 3)),
            R("Conv2d pointwise", OpKind.Conv2d, new double[] { 1, 0, 1, 1 }, "F.conv2d(a, b)", O(5, 3, 3, 37), O(7, 3, 1, 1)),
            R("Conv2d unpadded 5x5", OpKind.Conv2d, new double[] { 1, 0, 1, 1 }, "F.conv2d(a, b)", O(3, 3, 9, 41), O(5, 3, 5, 5)),
            R("MaxPool2d", OpKind.MaxPool2d, new double[] { 2, 2 }, "F.max_pool2d(a, 2, 2)", Distinct(3, 5, 6, 74)),
            R("MaxPool2d odd width", OpKind.MaxPool2d, new double[] { 2, 2 }, "F.max_pool2d(a, 2, 2)", Distinct(3, 3, 5, 75)),
            R("MaxPool2d overlapping", OpKind.MaxPool2d, new double[] { 3, 2 }, "F.max_pool2d(a, 3, 2)", Distinct(3, 5, 7, 37)),
            R("MaxPool2d of tied values", OpKind.MaxPool2d, new double[] { 2, 2 }, "F.max_pool2d(a, 2, 2)", Tied(3, 5, 6, 74)),
            R("MaxPool2d overlapping tied values", OpKind.MaxPool2d, new double[] { 3, 2 }, "F.max_pool2d(a, 3, 2)", Tied(3, 5, 7, 37)),
            R("MaxPool2d padded", OpKind.MaxPool2d, new double[] { 3, 2, 1 }, "F.max_pool2d(a, 3, 2, 1)", Distinct(3, 5, 7, 37)),
            R("MaxPool2d ceil mode", OpKind.MaxPool2d, new double[] { 2, 2, 0, 1 }, "F.max_pool2d(a, 2, 2, ceil_mode=True)", Distinct(3, 3, 5, 37)),
            R("MaxPool2d padded in ceil mode, tied values", OpKind.MaxPool2d, new double[] { 3, 2, 1, 1 }, "F.max_pool2d(a, 3, 2, 1, ceil_mode=True)", Tied(3, 3, 6, 37)),
            R("AvgPool2d padded", OpKind.AvgPool2d, new double[] { 3, 2, 1 }, "F.avg_pool2d(a, 3, 2, 1)", O(3, 5, 7, 37)),
            R("AvgPool2d padded, border not counted", OpKind.AvgPool2d, new double[] { 3, 2, 1, 0, 0 }, "F.avg_pool2d(a, 3, 2, 1, count_include_pad=False)", O(3, 5, 7, 37)),
            R("AvgPool2d ceil mode", OpKind.AvgPool2d, new double[] { 3, 2, 1, 1, 1 }, "F.avg_pool2d(a, 3, 2, 1, ceil_mode=True)", O(3, 5, 6, 36)),
            R("AvgPool2d ceil mode, border not counted", OpKind.AvgPool2d, new double[] { 2, 2, 0, 1, 0 }, "F.avg_pool2d(a, 2, 2, ceil_mode=True, count_include_pad=False)", O(3, 5, 5, 37)),
            R("Maximum", OpKind.Maximum, "torch.maximum(a, b)", O(5, 37), O(5, 37)),
            R("Maximum broadcast", OpKind.Maximum, "torch.maximum(a, b)", O(3, 1, 37), O(5, 1)),
            R("Minimum of tied values", OpKind.Minimum, "torch.minimum(a, b)", Tied(5, 37), Tied(5, 37)),
            R("Minimum broadcast, tied values", OpKind.Minimum, "torch.minimum(a, b)", Tied(3, 131), Tied(131)),
            R("Gt of tied values", OpKind.Gt, "(a > b).double()", Tied(3, 37), Tied(3, 37)),
            R("Lt broadcast", OpKind.Lt, "(a < b).double()", new Operand(new Shape(3, 1, 37), Levels: 5), new Operand(new Shape(5, 1), Levels: 5)),
            R("Ge of a number", OpKind.Ge, new double[] { 1 }, "(a >= 1).double()", new Operand(new Shape(3, 37), Levels: 5)),
            R("Le", OpKind.Le, "(a <= b).double()", Tied(5, 37), Tied(37)),
            R("Eq", OpKind.Eq, "(a == b).double()", Tied(3, 37), Tied(3, 37)),
            R("Ne of a number", OpKind.Ne, new double[] { 0 }, "(a != 0).double()", Tied(3, 37)),
            R("Where", OpKind.Where, "torch.where(a.bool(), b, c)", Mask(3, 37), O(3, 37), O(3, 37)),
            R("Where broadcast", OpKind.Where, "torch.where(a.bool(), b, c)", Mask(5, 1), O(3, 1, 37), O(37)),
            R("MaskedFill", OpKind.MaskedFill, new[] { -3.0 }, "a.masked_fill(b.bool(), -3.0)", O(3, 5, 37), Mask(3, 5, 37)),
            R("MaskedFill broadcast", OpKind.MaskedFill, new[] { 1e9 }, "a.masked_fill(b.bool(), 1e9)", O(3, 5, 37), Mask(3, 1, 37)),
            R("Gather", OpKind.Gather, new double[] { 1 }, "torch.gather(a, 1, b)", O(3, 5, 37), Ids(5, 3, 4, 37)),
            R("Gather along the last axis, a shorter index", OpKind.Gather, new double[] { -1 }, "torch.gather(a, -1, b)", O(3, 5, 131), Ids(131, 2, 5, 7)),
            R("IndexSelect", OpKind.IndexSelect, new double[] { 1 }, "torch.index_select(a, 1, b)", O(3, 5, 37), Ids(5, 7)),
            R("IndexSelect of rows", OpKind.IndexSelect, new double[] { 0 }, "torch.index_select(a, 0, b)", O(6, 131), Ids(6, 9)),
            R("Concat of three", OpKind.Concat, new double[] { 1 }, "torch.cat([a, b, c], 1)", O(3, 5), O(3, 37), O(3, 2)),
            R("Stack", OpKind.Stack, new double[] { 1 }, "torch.stack([a, b, c], 1)", O(3, 37), O(3, 37), O(3, 37)),
            R("Stack at the end", OpKind.Stack, new double[] { -1 }, "torch.stack([a, b], -1)", O(3, 5), O(3, 5)),
            R("Split part", OpKind.Split, new double[] { 2, 1, 1, 3 }, "torch.split(a, 2, 1)[1]", O(3, 5, 37)),
            R("Chunk's last part", OpKind.Chunk, new double[] { 3, -1, 2, 3 }, "torch.chunk(a, 3, -1)[2]", O(3, 37)),
            R("Cumsum", OpKind.Cumsum, new double[] { 1 }, "torch.cumsum(a, 1)", O(3, 5, 37)),
            R("Cumsum along the last axis", OpKind.Cumsum, new double[] { -1 }, "torch.cumsum(a, -1)", O(5, 131)),
            R("Squeeze", OpKind.Squeeze, new double[] { 1 }, "a.squeeze(1)", O(3, 1, 37)),
            R("Squeeze of a longer axis", OpKind.Squeeze, new double[] { 0 }, "a.squeeze(0)", O(3, 37)),
            R("Unsqueeze", OpKind.Unsqueeze, new double[] { 1 }, "a.unsqueeze(1)", O(3, 37)),
            R("Unsqueeze at the end", OpKind.Unsqueeze, new double[] { -1 }, "a.unsqueeze(-1)", O(5, 37)),
            R("Expand", OpKind.Expand, new double[] { 3, 5, 37 }, "a.expand(3, 5, 37)", O(5, 1)),
            R("Expand keeping an axis", OpKind.Expand, new double[] { -1, 37 }, "a.expand(-1, 37)", O(3, 1)),
            R("Linear", OpKind.Linear, "F.linear(a, b, c)", O(5, 131), O(7, 131), O(7)),
            R("Linear of sequences", OpKind.Linear, "F.linear(a, b, c)", O(3, 4, 37), O(5, 37), O(5)),
            R("Linear without bias", OpKind.Linear, "F.linear(a, b)", O(3, 37), O(5, 37)),
            R("AdaptiveAvgPool2d", OpKind.AdaptiveAvgPool2d, new double[] { 3, 5 }, "F.adaptive_avg_pool2d(a, (3, 5))", O(3, 5, 7, 37)),
            R("AdaptiveAvgPool2d 7x7 of uneven windows", OpKind.AdaptiveAvgPool2d, new double[] { 7, 7 }, "F.adaptive_avg_pool2d(a, 7)", O(3, 2, 10, 13)),
            R("AdaptiveAvgPool2d global", OpKind.AdaptiveAvgPool2d, new double[] { 1, 1 }, "F.adaptive_avg_pool2d(a, 1)", O(5, 3, 4, 37)),
            R("AdaptiveMaxPool2d", OpKind.AdaptiveMaxPool2d, new double[] { 3, 5 }, "F.adaptive_max_pool2d(a, (3, 5))", Distinct(3, 5, 7, 37)),
            R("AdaptiveMaxPool2d of tied values", OpKind.AdaptiveMaxPool2d, new double[] { 2, 7 }, "F.adaptive_max_pool2d(a, (2, 7))", Tied(3, 3, 5, 37)),
            R("AvgPool2d", OpKind.AvgPool2d, new double[] { 2, 2 }, "F.avg_pool2d(a, 2, 2)", O(3, 5, 6, 74)),
            R("AvgPool2d overlapping", OpKind.AvgPool2d, new double[] { 3, 2 }, "F.avg_pool2d(a, 3, 2)", O(3, 5, 7, 37)),
            R("BatchNorm2d", OpKind.BatchNorm2d, new[] { 0.1, 1e-5 }, "F.batch_norm(a, d, e, b, c, training=True, momentum=0.1, eps=1e-5)",
                O(5, 3, 7, 37), Positive(3), O(3), O(3), Positive(3)) with { Updated = new[] { 3, 4 } },
            R("BatchNorm2d over [N, C]", OpKind.BatchNorm2d, new[] { 0.2, 1e-3 }, "F.batch_norm(a, d, e, b, c, training=True, momentum=0.2, eps=1e-3)",
                O(7, 37), Positive(37), O(37), O(37), Positive(37)) with { Updated = new[] { 3, 4 } },
            R("BatchNorm2d evaluating", OpKind.BatchNorm2d, new[] { 0.1, 1e-5 }, "F.batch_norm(a, d, e, b, c, training=False, eps=1e-5)",
                O(5, 3, 2, 37), Positive(3), O(3), O(3), Positive(3)) with { Evaluating = true, Constants = new[] { 3, 4 } },
            R("CacheAppend", OpKind.CacheAppend, new double[] { 2 }, "cache_append(a, b, c, 2)", O(3, 2, 5, 37), O(3, 2, 1, 37), Ids(5, 3, 1)) with { Updated = new[] { 0 } },
            R("OffsetCausalSoftmax", OpKind.OffsetCausalSoftmax, "offset_causal_softmax(a, b)", O(3, 2, 1, 37), Ids(37, 3, 1)),
            R("OffsetCausalSoftmax several rows", OpKind.OffsetCausalSoftmax, "offset_causal_softmax(a, b)", O(3, 2, 4, 37), Ids(34, 3, 1)),
        };

        /// <summary>The kinds no case above reaches, and why.</summary>
        public static readonly IReadOnlyDictionary<OpKind, string> Skipped = new Dictionary<OpKind, string>
        {
            [OpKind.Input] = "not a computation: a plan's input",
            [OpKind.Boxing] = "not a computation: a collective moving data between devices, checked by the boxing and plan tests",
            [OpKind.Fill] = "no operands: a constant",
            [OpKind.Fused] = "plan-only: the fusion pass's group of elementwise ops, each step its op's formula (OpKernelTests); FusionTests train every sample fused and unfused to 1e-6",
            [OpKind.Accumulate] = "plan-only: sums micro-batches' gradients (MicroBatchTests train micro-batches like the whole batch)",
            [OpKind.Dropout] = "random: PyTorch cannot draw our mask (DropoutTests check the keep rate, the 1/(1 − p) scale and the gradient's reuse of the mask)",
            [OpKind.DropoutGrad] = "random, as Dropout",
            [OpKind.SgdUpdate] = "an optimizer step, not an op of a forward pass: OptimizerAgreementTests compare the trainers' updates with torch.optim in float64",
            [OpKind.MomentumUpdate] = "as SgdUpdate",
            [OpKind.AdamUpdate] = "as SgdUpdate",
            [OpKind.AdagradUpdate] = "as SgdUpdate",
            [OpKind.SparseAdamUpdate] = "as SgdUpdate: SparseEmbeddingTests compare it with torch.optim.SparseAdam in float64",
            [OpKind.SparseSgdUpdate] = "as SgdUpdate: SparseEmbeddingTests compare it with the dense update",
            [OpKind.SparseAdagradUpdate] = "as SparseSgdUpdate",
            [OpKind.IdSlots] = "the embedding exchange's own layout of ids (EmbeddingExchangeTests compare exchanged lookups with direct ones)",
            [OpKind.IdRequests] = "as IdSlots",
            [OpKind.RowGather] = "as IdSlots",
            [OpKind.RowGatherGrad] = "as IdSlots",
            [OpKind.EmbeddingCombine] = "as IdSlots",
            [OpKind.EmbeddingCombineGrad] = "as IdSlots",
        };

        public static OpReference Named(string name) => All.Single(c => c.Name == name);

        public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });
    }
}
