using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Testing
{
    /// <summary>How the values of one operand are drawn: uniform in [<see cref="Low"/>, <see cref="High"/>), kept at
    /// least <see cref="AwayFromZero"/> from 0 (for ops with a kink there); integers in [0, <see cref="Ids"/>); or, when
    /// <see cref="Spaced"/>, evenly spaced values in a random order, so that no two are within a finite-difference step
    /// of each other (a maximum does not change hands); or, with <see cref="Levels"/>, one of that many evenly spaced
    /// values, so that ties are common (which of equal maxima a gradient goes to).</summary>
    public sealed record Operand(Shape Shape, float Low = -2, float High = 2, float AwayFromZero = 0, int Ids = 0, bool Spaced = false, int Levels = 0, bool Mask = false)
    {
        public DType Type => Mask ? DType.Bool : Ids > 0 ? DType.I32 : DType.F32;

        public static Operand Of(params int[] dims) => new Operand(new Shape(dims));
        public static Operand Positive(params int[] dims) => new Operand(new Shape(dims), 0.5f, 2f);
        public static Operand Kinked(params int[] dims) => new Operand(new Shape(dims), AwayFromZero: 0.1f);
        public static Operand IdsBelow(int limit, params int[] dims) => new Operand(new Shape(dims), Ids: limit);
        public static Operand Distinct(params int[] dims) => new Operand(new Shape(dims), Spaced: true);
        public static Operand Tied(params int[] dims) => new Operand(new Shape(dims), Levels: 3);
        /// <summary>A boolean mask: 0s and 1s, as a comparison gives.</summary>
        public static Operand MaskOf(params int[] dims) => new Operand(new Shape(dims), Ids: 2, Mask: true);
    }

    /// <summary>One example of an op kind: its operands and attributes. Every kind that runs as a kernel has at least
    /// one, and every differentiable kind one checked against finite differences; <see cref="OpSamples"/> is the
    /// table the kernel tests (GPU against CPU) and the gradient checks run over, and the coverage test holds it to.</summary>
    public sealed record OpSample(string Name, OpKind Kind, Operand[] Operands, OpAttributes? Attributes)
    {
        /// <summary>True when the op has a gradient rule (or is a composite of ops that do): its sample is checked
        /// against finite differences, unless it is <see cref="KernelOnly"/>.</summary>
        public bool Differentiable => !KernelOnly && OpRegistry.Get(Kind).NotDifferentiable == null;

        /// <summary>A sample too large for finite differences, there for the kernel tests (a convolution unfolded in several tiles).</summary>
        public bool KernelOnly { get; init; }

        /// <summary>Operands the gradient rule treats as constants by design (softmax cross-entropy's shift, on which the
        /// loss does not depend): left out of the finite-difference check, which the composite's own sample covers.</summary>
        public int[] Constants { get; init; } = Array.Empty<int>();

        /// <summary>For an op whose gradient rule holds only when some operands derive from others (batch norm's
        /// batch statistics are those of its x): the operands the gradient check passes, computed from the drawn ones
        /// by differentiable ops. The kernel tests use the drawn ones.</summary>
        public Func<Tensor[], Tensor[]>? Derive { get; init; }

        /// <summary>Random operands: float[] or int[], the same for the same seed.</summary>
        public Array[] Inputs(int seed)
        {
            var random = new Random(seed);
            return Operands.Select(o => o.Ids > 0
                ? (Array)Enumerable.Range(0, (int)o.Shape.Elements).Select(_ => random.Next(o.Ids)).ToArray()
                : o.Spaced ? Spaced(random, o)
                : Enumerable.Range(0, (int)o.Shape.Elements).Select(_ => Draw(random, o)).ToArray()).ToArray();
        }

        /// <summary>At least <see cref="MinimumSpacing"/> apart: the range is widened about its centre where it is too narrow.</summary>
        private static float[] Spaced(Random random, Operand o)
        {
            int n = (int)o.Shape.Elements;
            float width = Math.Max(o.High - o.Low, MinimumSpacing * n), low = (o.Low + o.High - width) / 2;
            var values = Enumerable.Range(0, n).Select(i => low + width * (i + 0.5f) / n).ToArray();
            random.Shuffle(values);
            return values;
        }

        /// <summary>More than twice the finite-difference step, so that a perturbed value keeps its rank.</summary>
        private const float MinimumSpacing = 0.05f;

        private static float Draw(Random random, Operand o)
        {
            if (o.Levels > 1) return o.Low + (o.High - o.Low) * random.Next(o.Levels) / (o.Levels - 1);
            float v = (float)(o.Low + random.NextDouble() * (o.High - o.Low));
            return o.AwayFromZero > 0 ? MathF.CopySign(o.AwayFromZero + MathF.Abs(v), v) : v;
        }

        public override string ToString() => Name;
    }

    public static class OpSamples
    {
        private static OpSample S(string name, OpKind kind, params Operand[] operands) => new OpSample(name, kind, operands, null);

        /// <summary>A sample of an op users call, with the constant arguments they write.</summary>
        private static OpSample S(string name, OpKind kind, double[] args, params Operand[] operands) => new OpSample(name, kind, operands, OpRegistry.Get(kind).FromCall(name, args));

        private static OpSample S(string name, OpKind kind, OpAttributes attributes, params Operand[] operands) => new OpSample(name, kind, operands, attributes);
        private static Operand O(params int[] dims) => Operand.Of(dims);

        /// <summary>[3, 37] of eight evenly spaced values from <paramref name="low"/> to <paramref name="high"/>, none
        /// on the kinks of the clamps sampled with them (0, 6, ±1, ±3, the bounds): a finite difference never crosses one.</summary>
        private static Operand Stepped(float low, float high) => new Operand(new Shape(3, 37), low, high, Levels: 8);

        public static readonly OpSample[] All =
        {
            S("MatMul", OpKind.MatMul, O(3, 37), O(37, 35)),
            S("MatMul transposed A", OpKind.MatMul, new MatMulAttributes(true, false), O(37, 3), O(37, 35)),
            S("MatMul transposed B", OpKind.MatMul, new MatMulAttributes(false, true), O(3, 37), O(35, 37)),
            S("MatMul batched", OpKind.MatMul, O(3, 5, 37), O(3, 37, 35)),
            S("Add bias", OpKind.Add, O(3, 37), O(37)),
            S("Add middle axis", OpKind.Add, O(3, 5, 37), O(3, 1, 37)),
            S("Add to every matrix", OpKind.Add, O(3, 5, 7, 37), O(7, 1)),
            S("Sub both broadcast", OpKind.Sub, O(5, 1), O(37)),
            S("Sub from a row", OpKind.Sub, O(37), O(3, 37)),
            S("Mul both broadcast", OpKind.Mul, O(3, 1, 37), O(1, 5, 1)),
            S("Mul column", OpKind.Mul, O(3, 37), O(3, 1)),
            S("Div", OpKind.Div, O(3, 37), Operand.Positive(3, 37)),
            S("Div by a row", OpKind.Div, O(3, 37), Operand.Positive(37)),
            S("Neg", OpKind.Neg, O(3, 37)),
            S("Scale", OpKind.Scale, new[] { -1.5 }, O(3, 37)),
            S("AddScalar", OpKind.AddScalar, new[] { 0.5 }, O(3, 37)),
            S("Reciprocal", OpKind.Reciprocal, Operand.Positive(3, 37)),
            S("Relu", OpKind.Relu, Operand.Kinked(3, 37)),
            S("ReluGrad", OpKind.ReluGrad, O(3, 37), O(3, 37)),
            S("Gelu", OpKind.Gelu, new[] { 0.0 }, O(3, 37)),
            S("Gelu tanh", OpKind.Gelu, new[] { 1.0 }, O(3, 37)),
            S("GeluGrad", OpKind.GeluGrad, new GeluAttributes(false), O(3, 37), O(3, 37)),
            S("GeluGrad tanh", OpKind.GeluGrad, new GeluAttributes(true), O(3, 37), O(3, 37)),
            S("Tanh", OpKind.Tanh, O(3, 37)),
            S("TanhGrad", OpKind.TanhGrad, O(3, 37), new Operand(new Shape(3, 37), -0.9f, 0.9f)),
            S("Sigmoid", OpKind.Sigmoid, O(3, 37)),
            S("SigmoidGrad", OpKind.SigmoidGrad, O(3, 37), new Operand(new Shape(3, 37), 0.05f, 0.95f)),
            S("Exp", OpKind.Exp, O(3, 37)),
            S("Log", OpKind.Log, Operand.Positive(3, 37)),
            S("Sqrt", OpKind.Sqrt, Operand.Positive(3, 37)),
            S("Abs", OpKind.Abs, Operand.Kinked(3, 37)),
            S("Sign", OpKind.Sign, O(3, 37)),
            S("Square", OpKind.Square, O(3, 37)),
            S("Softplus", OpKind.Softplus, new Operand(new Shape(3, 37), -25, 25)),
            S("Erf", OpKind.Erf, O(3, 37)),
            S("Sin", OpKind.Sin, new Operand(new Shape(3, 37), -6, 6)),
            S("Cos", OpKind.Cos, new Operand(new Shape(3, 37), -6, 6)),
            S("Pow", OpKind.Pow, new[] { 3.0 }, O(3, 37)),
            S("Pow fractional", OpKind.Pow, new[] { 1.5 }, Operand.Positive(3, 37)),
            S("Pow negative", OpKind.Pow, new[] { -2.0 }, Operand.Positive(3, 37)),
            S("Silu", OpKind.Silu, new Operand(new Shape(3, 37), -8, 8)),
            S("Clamp", OpKind.Clamp, new[] { -0.7, 1.3 }, Stepped(-2, 2)),
            S("Clamp open below", OpKind.Clamp, new[] { double.NegativeInfinity, 0.5 }, Stepped(-2, 2)),
            S("ClampGrad", OpKind.ClampGrad, new ClampAttributes(-0.7, 1.3), O(3, 37), Stepped(-2, 2)),
            S("Relu6", OpKind.Relu6, Stepped(-3, 9)),
            S("Hardtanh", OpKind.Hardtanh, new[] { -1.0, 1.0 }, Stepped(-2, 2)),
            S("Hardswish", OpKind.Hardswish, Stepped(-5, 5)),
            S("LeakyRelu", OpKind.LeakyRelu, new[] { 0.2 }, Operand.Kinked(3, 37)),
            S("LeakyReluGrad", OpKind.LeakyReluGrad, new AlphaAttributes(0.2), O(3, 37), O(3, 37)),
            S("Elu", OpKind.Elu, new[] { 0.7 }, new Operand(new Shape(3, 37), -4, 4, AwayFromZero: 0.1f)),
            S("EluGrad", OpKind.EluGrad, new AlphaAttributes(0.7), O(3, 37), O(3, 37)),
            S("SoftmaxCrossEntropy", OpKind.SoftmaxCrossEntropy, O(5, 37), Operand.IdsBelow(37, 5)),
            S("SoftmaxCrossEntropy per token", OpKind.SoftmaxCrossEntropy, O(3, 2, 37), Operand.IdsBelow(37, 3, 2)),
            S("ChunkMax", OpKind.ChunkMax, new ChunkAttributes(3), O(5, 37)),
            S("SumExp", OpKind.SumExp, O(5, 37), O(5)) with { Constants = new[] { 1 } },
            S("SumExpGrad", OpKind.SumExpGrad, O(3, 5), O(3, 5, 37), O(3, 5)),
            S("PickClass", OpKind.PickClass, O(5, 37), Operand.IdsBelow(37, 5)),
            S("PickClassGrad", OpKind.PickClassGrad, new ClassesAttributes(37), O(3, 5), Operand.IdsBelow(37, 3, 5)),
            S("CrossEntropyRows", OpKind.CrossEntropyRows, Operand.Positive(37), O(37), O(37)) with { Constants = new[] { 1 } },
            S("Fill", OpKind.Fill, new FillAttributes(1.5, new Shape(3, 37))),
            S("MseLoss", OpKind.MseLoss, O(3, 37), O(3, 37)),
            S("MseLossGrad", OpKind.MseLossGrad, O(3, 37), O(3, 37), O()),
            S("L1Loss", OpKind.L1Loss, O(3, 37), new Operand(new Shape(3, 37), 5, 6)),
            S("L1LossGrad", OpKind.L1LossGrad, O(3, 37), O(3, 37), O()),
            S("BceWithLogitsLoss", OpKind.BceWithLogitsLoss, new Operand(new Shape(3, 37), -25, 25), new Operand(new Shape(3, 37), 0, 1)),
            S("BceWithLogitsLossGrad", OpKind.BceWithLogitsLossGrad, O(3, 37), new Operand(new Shape(3, 37), 0, 1), O()),
            S("SumTo", OpKind.SumTo, new SumToAttributes(new Shape(3, 1)), O(5, 3, 37)),
            S("SumTo rows", OpKind.SumTo, new SumToAttributes(new Shape(37)), O(5, 37)),
            S("SumSquares", OpKind.SumSquares, O(3, 37)),
            S("SgdUpdate", OpKind.SgdUpdate, O(3, 37), O(3, 37)),
            S("SgdUpdate clipped", OpKind.SgdUpdate, new UpdateAttributes(true), O(3, 37), O(3, 37), Operand.Positive()),
            S("MomentumUpdate", OpKind.MomentumUpdate, O(3, 37), O(3, 37), O(3, 37)),
            S("AdamUpdate", OpKind.AdamUpdate, O(3, 37), O(3, 37), O(3, 37), Operand.Positive(3, 37)),
            S("AdagradUpdate", OpKind.AdagradUpdate, O(3, 37), O(3, 37), Operand.Positive(3, 37)),
            S("AdagradUpdate clipped", OpKind.AdagradUpdate, new UpdateAttributes(true), O(3, 37), O(3, 37), Operand.Positive(3, 37), Operand.Positive()),
            S("AdamUpdate clipped", OpKind.AdamUpdate, new UpdateAttributes(true), O(3, 37), O(3, 37), O(3, 37), Operand.Positive(3, 37), Operand.Positive()),
            // A device's updates as one op: each weight's operands in turn (the kernels find each element's weight).
            S("SgdUpdate of three weights", OpKind.SgdUpdate, new UpdateAttributes(false, 3), O(3, 37), O(3, 37), O(5), O(5), O(2, 2, 3), O(2, 2, 3)),
            S("AdamUpdate of two weights clipped", OpKind.AdamUpdate, new UpdateAttributes(true, 2), O(3, 37), O(3, 37), O(3, 37), Operand.Positive(3, 37),
                O(7), O(7), O(7), Operand.Positive(7), Operand.Positive()),
            S("CausalSoftmax", OpKind.CausalSoftmax, O(3, 37, 37)),
            S("Permute", OpKind.Permute, new double[] { 2, 0, 1 }, O(3, 5, 37)),
            S("Permute keeping the last axis", OpKind.Permute, new double[] { 1, 0, 2 }, O(3, 5, 37)),
            S("Softmax", OpKind.Softmax, O(3, 37)),
            S("SoftmaxGrad", OpKind.SoftmaxGrad, O(3, 37), Operand.Positive(3, 37)),
            S("LogSoftmax", OpKind.LogSoftmax, O(3, 37)),
            S("LogSoftmaxGrad", OpKind.LogSoftmaxGrad, O(3, 37), O(3, 37)),
            S("Sum last axis", OpKind.Sum, new double[] { -1 }, O(3, 5, 37)),
            S("Sum middle axis", OpKind.Sum, new double[] { 1 }, O(3, 5, 37)),
            S("Mean first axis", OpKind.Mean, new double[] { 0 }, O(5, 3, 37)),
            S("Mean last axis", OpKind.Mean, new double[] { -1 }, O(3, 37)),
            S("ExpandAxis", OpKind.ExpandAxis, new ExpandAxisAttributes(1, 5, 0.2), O(3, 37)),
            // Every code a fused kernel evaluates, its inputs read whole, along the last axis and along the first.
            S("Fused activations", OpKind.Fused, Fused(new Shape(3, 37), new[] { new[] { 0, 1 }, new[] { 1 }, new[] { 0, -1 } },
                (PointwiseCode.Add, new[] { 0, 1 }, 0), (PointwiseCode.Relu, new[] { 3 }, 0), (PointwiseCode.Mul, new[] { 4, 2 }, 0),
                (PointwiseCode.Gelu, new[] { 5 }, 0), (PointwiseCode.GeluTanh, new[] { 5 }, 0), (PointwiseCode.Sub, new[] { 6, 7 }, 0),
                (PointwiseCode.Sigmoid, new[] { 8 }, 0), (PointwiseCode.Tanh, new[] { 9 }, 0), (PointwiseCode.Exp, new[] { 10 }, 0),
                (PointwiseCode.Div, new[] { 11, 9 }, 0), (PointwiseCode.Scale, new[] { 12 }, 0.5), (PointwiseCode.AddScalar, new[] { 13 }, -0.25),
                (PointwiseCode.Neg, new[] { 14 }, 0), (PointwiseCode.Fill, new int[0], 1.5), (PointwiseCode.Add, new[] { 15, 16 }, 0)),
                O(3, 37), O(37), O(3, 1)),
            S("Fused gradients", OpKind.Fused, Fused(new Shape(3, 5, 37), new[] { new[] { 0, 1, 2 }, new[] { 0, 1, 2 }, new[] { 0, 1 } },
                (PointwiseCode.ReluGrad, new[] { 0, 1 }, 0), (PointwiseCode.GeluGrad, new[] { 0, 1 }, 0), (PointwiseCode.GeluTanhGrad, new[] { 0, 1 }, 0),
                (PointwiseCode.SigmoidGrad, new[] { 0, 1 }, 0), (PointwiseCode.TanhGrad, new[] { 0, 1 }, 0), (PointwiseCode.Add, new[] { 3, 4 }, 0),
                (PointwiseCode.Add, new[] { 8, 5 }, 0), (PointwiseCode.Add, new[] { 9, 6 }, 0), (PointwiseCode.Add, new[] { 10, 7 }, 0),
                (PointwiseCode.Mul, new[] { 11, 2 }, 0)),
                O(3, 5, 37), O(3, 5, 37), O(3, 5)),
            S("Transpose", OpKind.Transpose, O(3, 5, 37)),
            S("LayerNorm", OpKind.LayerNorm, new[] { 1e-5 }, O(3, 37)),
            S("LayerNorm affine", OpKind.LayerNorm, new[] { 1e-5 }, O(3, 37), Operand.Positive(37), O(37)),
            S("LayerNorm of BERT's eps", OpKind.LayerNorm, new[] { 1e-12 }, O(5, 37)),
            S("LayerNormGrad", OpKind.LayerNormGrad, new LayerNormAttributes(1e-5), O(3, 37), O(3, 37)),
            S("GroupNorm", OpKind.GroupNorm, new[] { 2, 1e-5 }, O(3, 4, 5, 7), Operand.Positive(4), O(4)),
            S("GroupNorm of [N, C]", OpKind.GroupNorm, new[] { 3, 1e-3 }, O(5, 24), Operand.Positive(24), O(24)),
            S("Embedding", OpKind.Embedding, Operand.IdsBelow(6, 3, 5), O(6, 37)),
            S("EmbeddingGrad", OpKind.EmbeddingGrad, Operand.IdsBelow(6, 3, 5), O(3, 5, 37), O(6, 37)),
            S("MaxLast", OpKind.MaxLast, Operand.Distinct(3, 37)),
            S("Max over the middle axis", OpKind.Max, new double[] { 1, 0 }, Operand.Distinct(3, 5, 37)),
            S("Max keeping the axis", OpKind.Max, new double[] { 0, 1 }, Operand.Distinct(5, 37)),
            S("Min over the last axis", OpKind.Min, new double[] { -1, 0 }, Operand.Distinct(3, 37)),
            S("ArgMax", OpKind.ArgMax, new double[] { 1, 0 }, O(3, 5, 37)),
            S("ArgMin keeping the axis", OpKind.ArgMin, new double[] { -1, 1 }, O(3, 37)),
            S("ArgMaxLast", OpKind.ArgMaxLast, O(3, 37)),
            S("ArgMaxLast of tied values", OpKind.ArgMaxLast, Operand.Tied(5, 37)),
            S("MaxLastGrad", OpKind.MaxLastGrad, O(3), O(3, 37)),
            S("Dropout", OpKind.Dropout, new[] { 0.3 }, O(5, 37)),
            S("DropoutGrad", OpKind.DropoutGrad, new DropoutGradAttributes(0.3, 7), O(5, 37)),
            S("Reshape", OpKind.Reshape, new double[] { 15, -1 }, O(3, 5, 37)),
            S("Slice", OpKind.Slice, new double[] { 1, 2, 35 }, O(3, 37)),
            S("SliceGrad", OpKind.SliceGrad, new SliceGradAttributes(1, 2, 37), O(3, 33)),
            S("Concat", OpKind.Concat, new double[] { 1 }, O(3, 5), O(3, 37)),
            S("Accumulate", OpKind.Accumulate, new AccumulateAttributes(2), O(3, 37)),
            S("Conv2d", OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, O(3, 3, 5, 37), O(5, 3, 3, 3)),
            S("Conv2d strided", OpKind.Conv2d, new double[] { 2, 1, 1, 1 }, O(3, 3, 6, 37), O(5, 3, 3, 3)),
            S("Conv2d grouped", OpKind.Conv2d, new double[] { 1, 0, 1, 2 }, O(3, 6, 5, 37), O(6, 3, 3, 3)),
            S("Conv2d pointwise", OpKind.Conv2d, new double[] { 1, 0, 1, 1 }, O(3, 3, 4, 37), O(5, 3, 1, 1)),
            S("Conv2d five samples", OpKind.Conv2d, new double[] { 1, 2, 1, 1 }, O(5, 2, 4, 37), O(3, 2, 3, 2)),
            S("Conv2d with bias", OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, O(3, 3, 5, 37), O(5, 3, 3, 3), O(5)),
            S("Conv2d dilated", OpKind.Conv2d, new double[] { 1, 2, 2, 1 }, O(3, 3, 5, 37), O(5, 3, 3, 3)),
            S("Conv2d dilated, strided and grouped", OpKind.Conv2d, new double[] { 2, 1, 3, 2 }, O(3, 4, 8, 37), O(6, 2, 3, 2), O(6)),
            S("ConvTranspose2d", OpKind.ConvTranspose2d, new double[] { 2, 1, 1, 1, 1 }, O(2, 5, 2, 19), O(5, 3, 3, 3), O(3)),
            S("ConvTranspose2d unpadded", OpKind.ConvTranspose2d, new double[] { 1, 0, 0, 1, 1 }, O(3, 5, 3, 37), O(5, 4, 2, 2)),
            S("ConvTranspose2d grouped and dilated", OpKind.ConvTranspose2d, new double[] { 2, 1, 0, 2, 2 }, O(2, 4, 3, 17), O(4, 3, 3, 3), O(6)),
            S("Conv1d", OpKind.Conv1d, new double[] { 1, 1, 1, 1 }, O(3, 5, 37), O(4, 5, 3), O(4)),
            S("Conv1d strided, dilated and grouped", OpKind.Conv1d, new double[] { 2, 2, 2, 2 }, O(3, 4, 37), O(6, 2, 3)),
            S("Pad constant", OpKind.Pad, new double[] { 1, 2, 2, 0, 0, 0.5 }, O(3, 5, 37)),
            S("Pad reflect", OpKind.Pad, new double[] { 2, 3, 1, 0 }, O(3, 4, 37)),
            S("Pad replicate in two axes", OpKind.Pad, new double[] { 1, 2, 3, 1, 2, 0 }, O(2, 3, 5, 37)),
            S("Pad reflect in two axes", OpKind.Pad, new double[] { 2, 1, 1, 3, 1, 0 }, O(2, 3, 5, 37)),
            S("PadGrad replicate", OpKind.PadGrad, new PadAttributes(new[] { 1, 2, 3, 1 }, PadMode.Replicate, 0), O(2, 3, 9, 40)),
            S("PadGrad reflect", OpKind.PadGrad, new PadAttributes(new[] { 2, 1 }, PadMode.Reflect, 0), O(3, 40)),
            S("Upsample nearest", OpKind.Upsample, new double[] { 2, 0 }, O(3, 2, 3, 19)),
            S("Upsample bilinear", OpKind.Upsample, new double[] { 3, 1 }, O(3, 2, 4, 13)),
            S("UpsampleGrad nearest", OpKind.UpsampleGrad, new UpsampleAttributes(3, false), O(3, 2, 6, 39)),
            S("UpsampleGrad bilinear", OpKind.UpsampleGrad, new UpsampleAttributes(2, true), O(3, 2, 6, 38)),
            S("Conv2dGradInput", OpKind.Conv2dGradInput, new ConvGradAttributes(new ConvAttributes(2, 1, 1), 6, 37), O(3, 5, 3, 19), O(5, 3, 3, 3)),
            S("Conv2d in tiles", OpKind.Conv2d, new double[] { 1, 1, 1, 1 }, O(1, 16, 20, 64), O(4, 16, 3, 3)) with { KernelOnly = true },
            S("Conv2d strided in tiles", OpKind.Conv2d, new double[] { 2, 1, 1, 1 }, O(1, 32, 21, 64), O(4, 32, 3, 3)) with { KernelOnly = true },
            S("Conv2dGradInput in tiles", OpKind.Conv2dGradInput, new ConvGradAttributes(new ConvAttributes(1, 1, 1), 20, 64), O(1, 4, 20, 64), O(4, 16, 3, 3)),
            S("Conv2dGradInput strided in tiles", OpKind.Conv2dGradInput, new ConvGradAttributes(new ConvAttributes(2, 1, 1), 21, 64), O(1, 4, 11, 32), O(4, 32, 3, 3)),
            S("Conv2dGradWeight in tiles", OpKind.Conv2dGradWeight, new ConvGradAttributes(new ConvAttributes(1, 1, 1), 3, 3), O(1, 16, 20, 64), O(1, 4, 20, 64)),
            S("Conv2dGradInput same size", OpKind.Conv2dGradInput, new ConvGradAttributes(new ConvAttributes(1, 1, 1), 5, 37), O(3, 5, 5, 37), O(5, 3, 3, 3)),
            S("Conv2dGradInput grouped", OpKind.Conv2dGradInput, new ConvGradAttributes(new ConvAttributes(1, 0, 2), 5, 37), O(3, 6, 3, 35), O(6, 3, 3, 3)),
            S("Conv2dGradInput pointwise", OpKind.Conv2dGradInput, new ConvGradAttributes(new ConvAttributes(1, 0, 1), 4, 37), O(3, 5, 4, 37), O(5, 3, 1, 1)),
            S("Conv2dGradWeight", OpKind.Conv2dGradWeight, new ConvGradAttributes(new ConvAttributes(2, 1, 1), 3, 3), O(3, 3, 6, 37), O(3, 5, 3, 19)),
            S("Conv2dGradWeight same size", OpKind.Conv2dGradWeight, new ConvGradAttributes(new ConvAttributes(1, 2, 1), 5, 5), O(3, 2, 6, 37), O(3, 3, 6, 37)),
            S("Conv2dGradWeight grouped", OpKind.Conv2dGradWeight, new ConvGradAttributes(new ConvAttributes(1, 0, 2), 3, 3), O(3, 6, 5, 37), O(3, 6, 3, 35)),
            S("Conv2dGradWeight five samples", OpKind.Conv2dGradWeight, new ConvGradAttributes(new ConvAttributes(1, 0, 1), 1, 1), O(5, 3, 4, 37), O(5, 2, 4, 37)),
            S("MaxPool2d", OpKind.MaxPool2d, new double[] { 2, 2 }, Operand.Distinct(3, 3, 4, 74)),
            S("MaxPool2d overlapping", OpKind.MaxPool2d, new double[] { 3, 2 }, Operand.Distinct(3, 2, 7, 75)),
            S("MaxPoolArgmax", OpKind.MaxPoolArgmax, new PoolWindow(3, 2), O(3, 3, 7, 75)),
            S("MaxPoolArgmax 2x2 of tied values", OpKind.MaxPoolArgmax, new PoolWindow(2, 2), Operand.Tied(3, 3, 4, 74)),
            S("PlaneGather", OpKind.PlaneGather, O(3, 3, 4, 74), Operand.IdsBelow(296, 3, 3, 2, 37)),
            S("PlaneScatter", OpKind.PlaneScatter, new PlaneAttributes(4, 74), O(3, 3, 2, 37), Operand.IdsBelow(296, 3, 3, 2, 37)),
            S("AvgPool2d", OpKind.AvgPool2d, new double[] { 2, 2 }, O(3, 3, 4, 74)),
            S("AvgPool2d overlapping", OpKind.AvgPool2d, new double[] { 3, 2 }, O(3, 2, 7, 75)),
            S("MaxPool2d padded", OpKind.MaxPool2d, new double[] { 3, 2, 1 }, Operand.Distinct(3, 2, 7, 37)),
            S("MaxPool2d ceil mode", OpKind.MaxPool2d, new double[] { 2, 2, 0, 1 }, Operand.Distinct(3, 2, 5, 37)),
            S("MaxPoolArgmax padded in ceil mode", OpKind.MaxPoolArgmax, new PoolWindow(3, 2, 1, CeilMode: true), O(3, 2, 6, 37)),
            S("AvgPool2d padded", OpKind.AvgPool2d, new double[] { 3, 2, 1 }, O(3, 2, 7, 37)),
            S("AvgPool2d padded, border not counted", OpKind.AvgPool2d, new double[] { 3, 2, 1, 0, 0 }, O(3, 2, 7, 37)),
            S("AvgPool2d ceil mode", OpKind.AvgPool2d, new double[] { 3, 2, 1, 1, 1 }, O(3, 2, 6, 36)),
            S("AvgPool2dGrad padded in ceil mode", OpKind.AvgPool2dGrad, new AvgPool2dGradAttributes(new PoolWindow(3, 2, 1, true, false), 6, 36), O(3, 2, 4, 19)),
            S("Maximum", OpKind.Maximum, Stepped(-2, 2), new Operand(new Shape(37), -1.9f, 1.9f, Levels: 5)),
            S("Minimum broadcast", OpKind.Minimum, new Operand(new Shape(3, 1, 37), -2, 2, Levels: 8), new Operand(new Shape(5, 1), -1.9f, 1.9f, Levels: 5)),
            S("Maximum of tied values", OpKind.Maximum, Operand.Tied(3, 37), Operand.Tied(3, 37)),
            S("PairwiseExtremumGrad", OpKind.PairwiseExtremumGrad, new PairwiseExtremumGradAttributes(false, 1), O(3, 37), Operand.Tied(3, 37), Operand.Tied(37)),
            S("PairwiseExtremumGrad of the minimum", OpKind.PairwiseExtremumGrad, new PairwiseExtremumGradAttributes(true, 0), O(3, 5, 37), Operand.Tied(3, 1, 37), Operand.Tied(5, 1)),
            S("Gt of tied values", OpKind.Gt, Operand.Tied(3, 37), Operand.Tied(3, 37)),
            S("Lt broadcast", OpKind.Lt, new Operand(new Shape(3, 1, 37), Levels: 5), new Operand(new Shape(5, 1), Levels: 5)),
            S("Ge of a number", OpKind.Ge, new double[] { 1 }, new Operand(new Shape(3, 37), Levels: 5)),
            S("Le", OpKind.Le, Operand.Tied(5, 37), Operand.Tied(37)),
            S("Eq", OpKind.Eq, Operand.Tied(3, 37), Operand.Tied(3, 37)),
            S("Ne of a number", OpKind.Ne, new double[] { 0 }, Operand.Tied(3, 37)),
            S("Where", OpKind.Where, Operand.MaskOf(3, 37), O(3, 37), O(3, 37)),
            S("Where broadcast", OpKind.Where, Operand.MaskOf(5, 1), O(3, 1, 37), O(37)),
            S("MaskedFill", OpKind.MaskedFill, new[] { -3.0 }, O(3, 37), Operand.MaskOf(3, 37)),
            S("MaskedFill broadcast", OpKind.MaskedFill, new[] { 1e9 }, O(3, 5, 37), Operand.MaskOf(3, 1, 37)),
            S("WhereGrad", OpKind.WhereGrad, new WhereGradAttributes(true), O(3, 5, 37), Operand.MaskOf(5, 1)),
            S("WhereGrad of the other side", OpKind.WhereGrad, new WhereGradAttributes(false), O(3, 37), Operand.MaskOf(3, 37)),
            S("Gather", OpKind.Gather, new double[] { 1 }, O(3, 5, 37), Operand.IdsBelow(5, 3, 4, 37)),
            S("Gather along the last axis, a shorter index", OpKind.Gather, new double[] { -1 }, O(3, 5, 37), Operand.IdsBelow(37, 2, 5, 7)),
            S("GatherGrad", OpKind.GatherGrad, new GatherGradAttributes(0, new Shape(6, 5, 37)), O(4, 3, 37), Operand.IdsBelow(6, 4, 3, 37)),
            S("IndexSelect", OpKind.IndexSelect, new double[] { 1 }, O(3, 5, 37), Operand.IdsBelow(5, 7)),
            S("IndexSelect of rows", OpKind.IndexSelect, new double[] { 0 }, O(6, 37), Operand.IdsBelow(6, 9)),
            S("IndexSelectGrad", OpKind.IndexSelectGrad, new IndexingAttributes(1, 5), O(3, 7, 37), Operand.IdsBelow(5, 7)),
            S("Concat of three", OpKind.Concat, new double[] { 1 }, O(3, 5), O(3, 37), O(3, 2)),
            S("Stack", OpKind.Stack, new double[] { 1 }, O(3, 37), O(3, 37), O(3, 37)),
            S("Stack at the end", OpKind.Stack, new double[] { -1 }, O(3, 5), O(3, 5)),
            S("Split part", OpKind.Split, new double[] { 2, 1, 1, 3 }, O(3, 5, 37)),
            S("Chunk's last part", OpKind.Chunk, new double[] { 3, -1, 2, 3 }, O(3, 37)),
            S("Cumsum", OpKind.Cumsum, new double[] { 1 }, O(3, 5, 37)),
            S("Cumsum along the last axis", OpKind.Cumsum, new double[] { -1 }, O(3, 37)),
            S("Cumsum from the end", OpKind.Cumsum, new CumsumAttributes(0, true), O(5, 37)),
            S("Squeeze", OpKind.Squeeze, new double[] { 1 }, O(3, 1, 37)),
            S("Squeeze of a longer axis", OpKind.Squeeze, new double[] { 0 }, O(3, 37)),
            S("Unsqueeze", OpKind.Unsqueeze, new double[] { 1 }, O(3, 37)),
            S("Unsqueeze at the end", OpKind.Unsqueeze, new double[] { -1 }, O(5, 37)),
            S("Expand", OpKind.Expand, new double[] { 3, 5, 37 }, O(5, 1)),
            S("Expand keeping an axis", OpKind.Expand, new double[] { -1, 37 }, O(3, 1)),
            S("BroadcastTo", OpKind.BroadcastTo, new SumToAttributes(new Shape(3, 5, 37)), O(5, 1)),
            S("Linear", OpKind.Linear, O(3, 37), O(5, 37), O(5)),
            S("Linear of sequences", OpKind.Linear, O(3, 4, 37), O(5, 37), O(5)),
            S("Linear without bias", OpKind.Linear, O(3, 37), O(5, 37)),
            S("AdaptiveAvgPool2d", OpKind.AdaptiveAvgPool2d, new double[] { 3, 5 }, O(3, 2, 7, 37)),
            S("AdaptiveAvgPool2d global", OpKind.AdaptiveAvgPool2d, new double[] { 1, 1 }, O(3, 5, 4, 37)),
            S("AdaptiveAvgPool2dGrad", OpKind.AdaptiveAvgPool2dGrad, new PlaneAttributes(7, 37), O(3, 2, 3, 5)),
            S("AdaptiveMaxPool2d", OpKind.AdaptiveMaxPool2d, new double[] { 3, 5 }, Operand.Distinct(3, 2, 7, 37)),
            S("AdaptiveMaxArgmax", OpKind.AdaptiveMaxArgmax, new AdaptivePool(3, 5), O(3, 2, 7, 37)),
            S("AdaptiveMaxArgmax of tied values", OpKind.AdaptiveMaxArgmax, new AdaptivePool(2, 7), Operand.Tied(3, 2, 5, 37)),
            S("AvgPool2dGrad", OpKind.AvgPool2dGrad, new AvgPool2dGradAttributes(new PoolWindow(3, 2), 7, 75), O(3, 2, 3, 37)),
            S("Flatten", OpKind.Flatten, O(3, 3, 2, 37)),
            S("BatchNorm2d", OpKind.BatchNorm2d, new[] { 0.1, 1e-5 }, O(5, 3, 2, 37), O(3), O(3), O(3), Operand.Positive(3)),
            S("BatchNorm2d over [N, C]", OpKind.BatchNorm2d, new[] { 0.1, 1e-5 }, O(7, 37), O(37), O(37), O(37), Operand.Positive(37)),
            S("ChannelMean", OpKind.ChannelMean, O(5, 3, 2, 37)),
            S("ChannelVariance", OpKind.ChannelVariance, O(5, 3, 2, 37), O(3)),
            S("EmbeddingBag", OpKind.EmbeddingBag, new double[] { 0 }, Operand.IdsBelow(6, 3, 4), O(6, 37)),
            S("EmbeddingBag mean", OpKind.EmbeddingBag, new double[] { 1 }, Operand.IdsBelow(6, 3, 4), O(6, 37)),
            S("EmbeddingBagGrad", OpKind.EmbeddingBagGrad, new BagAttributes(true), Operand.IdsBelow(6, 3, 4), O(3, 37), O(6, 37)),
            S("SparseSgdUpdate", OpKind.SparseSgdUpdate, new SparseUpdateAttributes(0.5, false), O(6, 37), Operand.IdsBelow(6, 3, 4), O(3, 37)),
            S("SparseAdagradUpdate", OpKind.SparseAdagradUpdate, new SparseUpdateAttributes(1, false), O(6, 37), Operand.IdsBelow(6, 8), O(8, 37), Operand.Positive(6, 37)),
            S("SparseAdamUpdate", OpKind.SparseAdamUpdate, new SparseUpdateAttributes(1, false), O(6, 37), Operand.IdsBelow(6, 8), O(8, 37), O(6, 37), Operand.Positive(6, 37)),
            S("SparseSgdUpdate exchanged", OpKind.SparseSgdUpdate, new SparseUpdateAttributes(0.5, true), O(4, 37), Operand.IdsBelow(4, 2, 2, 6), O(2, 2, 222)),
            S("SparseAdamUpdate exchanged", OpKind.SparseAdamUpdate, new SparseUpdateAttributes(1, true), O(4, 37), Operand.IdsBelow(4, 2, 2, 6), O(2, 2, 222), O(4, 37), Operand.Positive(4, 37)),
            S("IdSlots", OpKind.IdSlots, new ExchangeAttributes(7, 2, 12), Operand.IdsBelow(9, 3, 4)),
            S("IdRequests", OpKind.IdRequests, new ExchangeAttributes(7, 2, 12), Operand.IdsBelow(9, 3, 4)),
            S("RowGather", OpKind.RowGather, O(4, 37), Operand.IdsBelow(4, 2, 2, 6)),
            S("RowGatherGrad", OpKind.RowGatherGrad, Operand.IdsBelow(4, 2, 2, 6), O(2, 2, 222), O(4, 37)),
            S("EmbeddingCombine", OpKind.EmbeddingCombine, new CombineAttributes(-1, 3), Operand.IdsBelow(12, 3, 3), O(2, 2, 148)),
            S("EmbeddingCombine mean of bags", OpKind.EmbeddingCombine, new CombineAttributes(1, 3), Operand.IdsBelow(12, 3, 4), O(2, 2, 148)),
            S("EmbeddingCombineGrad", OpKind.EmbeddingCombineGrad, new CombineGradAttributes(-1, 2, 3, 37), Operand.IdsBelow(12, 3, 3), O(3, 3, 37)),
            S("EmbeddingCombineGrad sum of bags", OpKind.EmbeddingCombineGrad, new CombineGradAttributes(0, 2, 3, 37), Operand.IdsBelow(12, 3, 4), O(3, 37)),
            S("CacheAppend", OpKind.CacheAppend, new double[] { 2 }, O(3, 3, 5, 37), O(3, 3, 1, 37), Operand.IdsBelow(5, 3, 1)),
            S("CacheAppend on the last axis", OpKind.CacheAppend, new double[] { 3 }, O(3, 3, 4, 37), O(3, 3, 4, 1), Operand.IdsBelow(37, 3, 1)),
            S("OffsetCausalSoftmax", OpKind.OffsetCausalSoftmax, O(3, 3, 2, 37), Operand.IdsBelow(36, 3, 1)),
            S("RunningStatsUpdate", OpKind.RunningStatsUpdate, new RunningStatsAttributes(0.1, 16), O(37), Operand.Positive(37), O(37), Operand.Positive(37)),
            S("BatchNorm with constant statistics", OpKind.BatchNorm, new BatchNormAttributes(1e-5, false), O(5, 3, 2, 37), O(3), Operand.Positive(3), O(3), O(3)),
            S("BatchNorm with batch statistics", OpKind.BatchNorm, new BatchNormAttributes(1e-5, true), O(5, 3, 2, 37), O(3), Operand.Positive(3), O(3), O(3))
                with { Derive = BatchStatistics },
            S("BatchNormReduce", OpKind.BatchNormReduce, new EpsilonAttributes(1e-5), O(5, 3, 2, 37), O(5, 3, 2, 37), O(3), Operand.Positive(3)),
            S("BatchNormInputGrad", OpKind.BatchNormInputGrad, new BatchNormAttributes(1e-5, true), O(5, 3, 2, 37), O(5, 3, 2, 37), O(3), Operand.Positive(3), O(3), O(2, 3)),
            S("BatchNormInputGrad constant statistics", OpKind.BatchNormInputGrad, new BatchNormAttributes(1e-5, false), O(7, 37), O(7, 37), O(37), Operand.Positive(37), O(37), O(2, 37)),
        };

        /// <summary>Batch norm's operands (x, mean, var, γ, β) with mean and var x's own statistics per channel,
        /// computed by ops with gradients of their own.</summary>
        private static Tensor[] BatchStatistics(Tensor[] operands)
        {
            var x = operands[0];
            var mean = Ops.Mean(Ops.Mean(Ops.Mean(x, 3), 2), 0);
            var centred = x - Ops.Reshape(mean, x.Shape[1], 1, 1);
            var variance = Ops.Mean(Ops.Mean(Ops.Mean(Ops.Square(centred), 3), 2), 0);
            return new[] { x, mean, variance, operands[3], operands[4] };
        }

        /// <summary>A fused group's attributes: its output's shape, each input's axes in the output, and its steps.</summary>
        private static FusedAttributes Fused(Shape shape, int[][] inputs, params (PointwiseCode Code, int[] Operands, double Constant)[] steps)
            => new FusedAttributes(steps.Select(s => new FusedInstruction(s.Code, s.Operands, s.Constant)).ToList(), inputs.Select(a => new FusedInput(a)).ToList(), shape);

        public static OpSample Named(string name) => All.Single(s => s.Name == name);

        /// <summary>The samples of ops that run a kernel (a composite runs its parts').</summary>
        public static IEnumerable<object[]> Kernels => All.Where(s => OpRegistry.Get(s.Kind).RunsAsKernel).Select(s => new object[] { s.Name });

        public static IEnumerable<object[]> Gradients => All.Where(s => s.Differentiable).Select(s => new object[] { s.Name });
    }
}
