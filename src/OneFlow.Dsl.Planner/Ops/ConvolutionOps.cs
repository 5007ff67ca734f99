using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A convolution's constants: stride, zero padding and dilation (the same along both spatial axes), and groups.</summary>
    internal sealed record ConvAttributes(int Stride, int Padding, int Groups, int Dilation = 1) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("stride", Stride).Int("padding", Padding).Int("dilation", Dilation).Int("groups", Groups);
        public static ConvAttributes Read(AttributeReader r) => new ConvAttributes(r.Int("stride"), r.Int("padding"), r.Int("groups"), r.Int("dilation"));

        /// <summary>A call's (stride, padding, dilation, groups), PyTorch's order.</summary>
        public static ConvAttributes FromCall(string subject, double[] args, string op)
            => args.Length == 4 ? new ConvAttributes((int)args[0], (int)args[1], (int)args[3], (int)args[2])
                : throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{op} takes stride, padding, dilation and groups after its tensors.");

        /// <summary>The span of a kernel of <paramref name="k"/> taps, dilation apart.</summary>
        public int Span(int k) => Dilation * (k - 1) + 1;
    }

    /// <summary>A convolution gradient's constants: the convolution's, and the height and width of what it gives (x's,
    /// which a strided convolution cannot recover from dy; or the kernel's).</summary>
    internal sealed record ConvGradAttributes(ConvAttributes Conv, int Height, int Width) : OpAttributes
    {
        internal override void Write(AttributeWriter w) { Conv.Write(w); w.Int("height", Height).Int("width", Width); }
        public static ConvGradAttributes Read(AttributeReader r) => new ConvGradAttributes(ConvAttributes.Read(r), r.Int("height"), r.Int("width"));
    }

    /// <summary>Every size of one convolution, from its input x [N, C, H, W] and weight w [O, C / groups, kH, kW] (on
    /// one device, or whole): what the shape rules check and every backend's kernels loop over. Per sample and group,
    /// the convolution is the matrix product w_g [O/g, C/g·kH·kW] · cols [C/g·kH·kW, H'·W'], cols being x unfolded.</summary>
    internal readonly struct ConvGeometry
    {
        public ConvGeometry(Shape x, Shape w, ConvAttributes a)
        {
            Attributes = a;
            N = x[0]; C = x[1]; H = x[2]; W = x[3];
            O = w[0]; KH = w[2]; KW = w[3];
            OutH = (H + 2 * a.Padding - a.Span(KH)) / a.Stride + 1;
            OutW = (W + 2 * a.Padding - a.Span(KW)) / a.Stride + 1;
        }

        public ConvAttributes Attributes { get; }
        public int N { get; }
        public int C { get; }
        public int H { get; }
        public int W { get; }
        public int O { get; }
        public int KH { get; }
        public int KW { get; }
        public int OutH { get; }
        public int OutW { get; }

        public int Groups => Attributes.Groups;
        public int Stride => Attributes.Stride;
        public int Padding => Attributes.Padding;
        public int Dilation => Attributes.Dilation;
        public int GroupChannels => C / Groups;
        public int GroupOutputs => O / Groups;
        /// <summary>Rows of the unfolded input: one per input channel of a group and kernel offset.</summary>
        public int Unfolded => GroupChannels * KH * KW;
        public int Pixels => H * W;
        public int OutPixels => OutH * OutW;

        /// <summary>A 1×1 convolution with stride 1 and no padding reads x as it lies: no unfolding.</summary>
        public bool Pointwise => KH == 1 && KW == 1 && Stride == 1 && Padding == 0;

        /// <summary>The most samples a kernel works on at once, each in a slice of the workspace of its own (one per
        /// thread, as the cores allow): the work is split by samples, which share nothing but the weight.</summary>
        public const int MaxSlices = 4;

        public int Slices => System.Math.Min(N, MaxSlices);

        /// <summary>The scratch a kernel may unfold columns into, per sample at work: about this many bytes, few
        /// enough to stay in a core's L2 cache between being written and being multiplied (a whole 32-channel 32×32
        /// sample's columns are 1.2 MB, and written out to memory they cost as much as the product). The plan reserves
        /// it when it is made, at build time; each backend's kernels cut their tiles from it.</summary>
        public const int ColumnBudgetBytes = 320 * 1024;

        /// <summary>The whole output rows whose columns fit the budget: at least one, at most all.</summary>
        public int BudgetRows => System.Math.Min(OutH, System.Math.Max(1, ColumnBudgetBytes / 4 / System.Math.Max(1, Unfolded) / OutW));

        /// <summary>Floats of one sample's share of the columns' scratch (none for a pointwise convolution, which reads x as it lies).</summary>
        public long ColumnFloats => Pointwise ? 0 : (long)Unfolded * BudgetRows * OutW;

        /// <summary>A stride-1 convolution whose output has its input's size (a 3×3 with padding 1): a kernel may
        /// compute it, and dx, from a zero-bordered copy of its input rather than from unfolded columns.</summary>
        public bool SameSize => Stride == 1 && OutH == H && OutW == W;

        /// <summary>Where the kernel's tap <paramref name="i"/> (along either axis) reads relative to the window's
        /// corner in the unpadded input.</summary>
        public int Tap(int i) => i * Dilation - Padding;

        /// <summary>Floats of one sample's zero-bordered input (or dy) of one group.</summary>
        public long PaddedFloats => (long)System.Math.Max(GroupChannels, GroupOutputs) * (H + 2 * Padding) * (W + 2 * Padding);

        /// <summary>The scratch of the forward pass and of dx: a tile of unfolded columns per sample at work or, for a
        /// same-size convolution, a bordered copy per sample at work and the weight packed for the product.</summary>
        public long UnfoldWorkspace => System.Math.Max(Slices * ColumnFloats, SameSize ? Slices * PaddedFloats + (long)O * Unfolded : 0);

        /// <summary>The scratch of dw: the columns, and a partial dw per slice where there are several, summed at the
        /// end; or, for a same-size convolution, per slice a bordered copy of x, dy transposed and a partial dwᵀ.</summary>
        public long WeightGradWorkspace => System.Math.Max(Slices * ColumnFloats + (Slices > 1 ? Slices * (long)O * Unfolded : 0),
            SameSize ? Slices * ImplicitWeightSlice : 0);

        /// <summary>A slice's part of the same-size dw scratch: the bordered x, dyᵀ, and dwᵀ of every group.</summary>
        public long ImplicitWeightSlice => PaddedFloats + (long)OutPixels * GroupOutputs + (long)O * Unfolded;

        public double Flops => 2.0 * N * O * OutPixels * Unfolded;

        public Shape Output => new Shape(N, O, OutH, OutW);
    }

    /// <summary>y = x ⋆ w (+ b), PyTorch's <c>conv2d(x, w, b, stride, padding, dilation, groups)</c>: x [N, C, H, W],
    /// w [O, C / groups, kH, kW], b [O] or none, zero padding, y [N, O, H', W'] with
    /// H' = (H + 2·padding − dilation·(kH − 1) − 1) / stride + 1.</summary>
    internal sealed class Conv2dOp : OpDef
    {
        public override string UserName => "Conv2d";
        public override string[] Operands => new[] { "x", "w", "b" };

        public override void ToOnnx(OnnxWriter w)
        {
            var a = Attributes(w.Op);
            var k = w.InputShape(1);
            w.Emit("Conv", ConvBias.OnnxInputs(w), OnnxAttribute.Of("kernel_shape", k[2], k[3]), OnnxAttribute.Of("strides", a.Stride, a.Stride),
                OnnxAttribute.Of("pads", a.Padding, a.Padding, a.Padding, a.Padding), OnnxAttribute.Of("dilations", a.Dilation, a.Dilation), OnnxAttribute.Of("group", (long)a.Groups));
        }

        /// <summary>The convolution's constants, of the convolution or of one of its gradients.</summary>
        public static ConvAttributes Attributes(IOpAttributes op) => op.Attributes is ConvGradAttributes grad ? grad.Conv : op.Get<ConvAttributes>();

        public override OpAttributes FromCall(string subject, double[] args) => ConvAttributes.FromCall(subject, args, "Conv2d");

        public override OpAttributes ReadAttributes(AttributeReader r) => ConvAttributes.Read(r);

        /// <summary>The sizes of the convolution of x and w, checked: each mistake names the shapes and what to change.</summary>
        public static ConvGeometry Checked(LogicalGraph g, LogicalOp op, int xInput, int wInput)
        {
            Shape x = ShapeOf(g, op, xInput), w = ShapeOf(g, op, wInput);
            string xs = NameOf(g, op, xInput), ws = NameOf(g, op, wInput);
            var a = Attributes(op);
            if (x.Rank != 4) throw Mismatch(op, $"Conv2d: {xs} is {x} but must be [N, C, H, W]; declare images as [Input(C, H, W)].");
            if (w.Rank != 4) throw Mismatch(op, $"Conv2d: {ws} is {w} but must be [O, C / groups, kH, kW], e.g. [Weight(32, {x[1]}, 3, 3)].");
            ConvBias.CheckConstants(op, a, "Conv2d");
            if (x[1] % a.Groups != 0 || w[0] % a.Groups != 0)
                throw Mismatch(op, $"Conv2d: {xs} {x} has {x[1]} channels and {ws} {w} {w[0]} outputs; both must divide by groups = {a.Groups}.");
            if (w[1] != x[1] / a.Groups)
                throw Mismatch(op, $"Conv2d: {ws} is {w} but {xs} {x} has {x[1]} channels in {a.Groups} group{(a.Groups == 1 ? "" : "s")}; its second dimension must be {x[1] / a.Groups}.");
            if (a.Span(w[2]) > x[2] + 2 * a.Padding || a.Span(w[3]) > x[3] + 2 * a.Padding)
                throw Mismatch(op, $"Conv2d: the {w[2]}x{w[3]} kernel of {ws} {w}{(a.Dilation > 1 ? $" dilated by {a.Dilation}" : "")} is larger than {xs} {x} padded by {a.Padding}; pad more or use a smaller kernel.");
            return new ConvGeometry(x, w, a);
        }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var y = Checked(g, op, 0, 1).Output;
            ConvBias.Check(g, op, y[1], "Conv2d");
            return y;
        }

        public override double Flops(LogicalGraph g, LogicalOp op) => Checked(g, op, 0, 1).Flops;

        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => new ConvGeometry(inputs[0], inputs[1], Attributes(op)).UnfoldWorkspace;

        /// <summary>Samples split into samples (data parallel); output channels split with the weight's rows; input
        /// channels split with the weight's columns give partial sums. The channel splits need one group.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c) => ConvBias.Signatures(c, Unbiased(c));

        private static IEnumerable<Signature> Unbiased(SignatureContext c)
        {
            yield return In(Sbp.S(0), Sbp.B).Out(Sbp.S(0));
            if (Attributes(c.Op).Groups == 1)
            {
                yield return In(Sbp.B, Sbp.S(0)).Out(Sbp.S(1));
                yield return In(Sbp.S(1), Sbp.S(1)).Out(Sbp.P);
            }
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.P).Out(Sbp.P);
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0], w = op.Inputs[1];
            var a = Attributes(op);
            Shape xs = ad.ShapeOf(x), ws = ad.ShapeOf(w);
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Conv2dGradInput, new[] { dy, w }, x, new ConvGradAttributes(a, xs[2], xs[3])));
            if (ad.NeedsGradient(w)) ad.Accumulate(w, ad.Emit(OpKind.Conv2dGradWeight, new[] { x, dy }, w, new ConvGradAttributes(a, ws[2], ws[3])));
            ConvBias.Backward(ad, op, dy);
        }
    }

    /// <summary>The transposed convolution, PyTorch's <c>conv_transpose2d(x, w, b, stride, padding, output_padding,
    /// groups, dilation)</c>: x [N, C, H, W], w [C, O / groups, kH, kW], b [O] or none, y [N, O, H', W'] with
    /// H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. It is the gradient of a convolution
    /// of y's shape by x: its kernels are <see cref="Conv2dGradInputOp"/>'s, its gradients a convolution (dx) and a
    /// convolution's weight gradient (dw).</summary>
    internal sealed class ConvTranspose2dOp : OpDef
    {
        public override string UserName => "ConvTranspose2d";
        public override string[] Operands => new[] { "x", "w", "b" };

        public static ConvTransposeAttributes Attributes(IOpAttributes op) => op.Get<ConvTransposeAttributes>();

        /// <summary>The convolution whose input gradient this is, and its sizes (its input is this op's output).</summary>
        public static ConvGeometry Geometry(IOpAttributes op, Shape w, Shape y) => new ConvGeometry(y, w, Attributes(op).Conv);

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 5
                ? new ConvTransposeAttributes(new ConvAttributes((int)args[0], (int)args[1], (int)args[3], (int)args[4]), (int)args[2])
                : throw BadCall(subject, "ConvTranspose2d takes stride, padding, outputPadding, groups and dilation after its tensors.");

        public override OpAttributes ReadAttributes(AttributeReader r) => ConvTransposeAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), w = ShapeOf(g, op, 1);
            string xs = NameOf(g, op, 0), ws = NameOf(g, op, 1);
            var t = Attributes(op);
            var a = t.Conv;
            if (x.Rank != 4) throw Mismatch(op, $"ConvTranspose2d: {xs} is {x} but must be [N, C, H, W].");
            if (w.Rank != 4) throw Mismatch(op, $"ConvTranspose2d: {ws} is {w} but must be [C, O / groups, kH, kW], e.g. [Weight({x[1]}, 16, 3, 3)].");
            ConvBias.CheckConstants(op, a, "ConvTranspose2d");
            if (t.OutputPadding < 0 || t.OutputPadding >= a.Stride)
                throw Mismatch(op, $"ConvTranspose2d: outputPadding {t.OutputPadding} must be at least 0 and below the stride {a.Stride}.");
            if (w[0] != x[1] || x[1] % a.Groups != 0)
                throw Mismatch(op, $"ConvTranspose2d: {ws} is {w} but {xs} {x} has {x[1]} channels; its first dimension must be {x[1]}, which must divide by groups = {a.Groups}.");
            int h = (x[2] - 1) * a.Stride - 2 * a.Padding + a.Span(w[2]) + t.OutputPadding, wd = (x[3] - 1) * a.Stride - 2 * a.Padding + a.Span(w[3]) + t.OutputPadding;
            if (h < 1 || wd < 1)
                throw Mismatch(op, $"ConvTranspose2d: {xs} {x} with the {w[2]}x{w[3]} kernel of {ws} and padding {a.Padding} gives an empty {h}x{wd} image; pad less.");
            var y = new Shape(x[0], w[1] * a.Groups, h, wd);
            ConvBias.Check(g, op, y[1], "ConvTranspose2d");
            return y;
        }

        public override double Flops(LogicalGraph g, LogicalOp op) => Geometry(op, ShapeOf(g, op, 1), g.Tensor(op.Output).Shape).Flops;

        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => Geometry(op, inputs[1], output).UnfoldWorkspace;

        public override void ToOnnx(OnnxWriter w)
        {
            var t = Attributes(w.Op);
            var a = t.Conv;
            var k = w.InputShape(1);
            w.Emit("ConvTranspose", ConvBias.OnnxInputs(w), OnnxAttribute.Of("kernel_shape", k[2], k[3]), OnnxAttribute.Of("strides", a.Stride, a.Stride),
                OnnxAttribute.Of("pads", a.Padding, a.Padding, a.Padding, a.Padding), OnnxAttribute.Of("output_padding", t.OutputPadding, t.OutputPadding),
                OnnxAttribute.Of("dilations", a.Dilation, a.Dilation), OnnxAttribute.Of("group", (long)a.Groups));
        }

        /// <summary>As the input gradient it is (<see cref="Conv2dGradInputOp.InputGradientSignatures"/>), with its bias.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
            => ConvBias.Signatures(c, Conv2dGradInputOp.InputGradientSignatures(Attributes(c.Op).Conv.Groups));

        /// <summary>dx = dy ⋆ w, the convolution this is the gradient of; dw = that convolution's weight gradient with
        /// dy as its input and x as its output's gradient.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0], w = op.Inputs[1];
            var a = Attributes(op).Conv;
            Shape ws = ad.ShapeOf(w);
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.Conv2d, new[] { dy, w }, x, a));
            if (ad.NeedsGradient(w)) ad.Accumulate(w, ad.Emit(OpKind.Conv2dGradWeight, new[] { dy, x }, w, new ConvGradAttributes(a, ws[2], ws[3])));
            ConvBias.Backward(ad, op, dy);
        }
    }

    /// <summary>1-D convolution, PyTorch's <c>conv1d(x, w, b, stride, padding, dilation, groups)</c>: x [N, C, L],
    /// w [O, C / groups, k], b [O] or none → [N, O, L']. A 2-D convolution of x seen as [N, C, 1, L], its length
    /// zero-padded first (the 2-D padding would pad the height too).</summary>
    internal sealed class Conv1dOp : CompositeOp
    {
        public override string UserName => "Conv1d";
        public override string[] Operands => new[] { "x", "w", "b" };

        public override OpAttributes FromCall(string subject, double[] args) => ConvAttributes.FromCall(subject, args, "Conv1d");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var a = (ConvAttributes)attributes!;
            int x = inputs[0], w = inputs[1];
            Shape xs = b.ShapeOf(x), ws = b.ShapeOf(w);
            if (xs.Rank != 3) throw b.Mismatch($"Conv1d: {b.NameOf(x)} is {xs} but must be [N, C, L]; declare sequences as [Input(C, L)].");
            if (ws.Rank != 3) throw b.Mismatch($"Conv1d: {b.NameOf(w)} is {ws} but must be [O, C / groups, k], e.g. [Weight(16, {xs[1]}, 3)].");
            if (a.Padding < 0) throw b.Mismatch($"Conv1d: padding {a.Padding} must not be negative.");
            int planes = b.Add(OpKind.Reshape, new[] { x }, "planes", new ReshapeAttributes(new long[] { -1, xs[1], 1, xs[2] }));
            if (a.Padding > 0) planes = b.Add(OpKind.Pad, new[] { planes }, "padded", new PadAttributes(new[] { a.Padding, a.Padding }, PadMode.Constant, 0));
            int kernel = b.Add(OpKind.Reshape, new[] { w }, "kernel", new ReshapeAttributes(new long[] { ws[0], ws[1], 1, ws[2] }));
            var operands = inputs.Length == 3 ? new[] { planes, kernel, inputs[2] } : new[] { planes, kernel };
            int y = b.Add(OpKind.Conv2d, operands, "conv", a with { Padding = 0 });
            var ys = b.ShapeOf(y);
            return b.Add(OpKind.Reshape, new[] { y }, "conv1d", new ReshapeAttributes(new long[] { -1, ys[1], ys[3] }));
        }
    }

    /// <summary>A transposed convolution's constants: those of the convolution it is the gradient of, and the rows
    /// and columns added at the far edge (which that convolution's stride would drop).</summary>
    internal sealed record ConvTransposeAttributes(ConvAttributes Conv, int OutputPadding) : OpAttributes
    {
        internal override void Write(AttributeWriter w) { Conv.Write(w); w.Int("outputPadding", OutputPadding); }
        public static ConvTransposeAttributes Read(AttributeReader r) => new ConvTransposeAttributes(ConvAttributes.Read(r), r.Int("outputPadding"));
    }

    /// <summary>What the convolutions share about their optional bias b [O] (operand 2), added to every pixel of
    /// output channel o: its check, its SBP beside the output's, its gradient (dy summed over samples and pixels).</summary>
    internal static class ConvBias
    {
        public static void CheckConstants(LogicalOp op, ConvAttributes a, string name)
        {
            if (a.Stride < 1 || a.Padding < 0 || a.Groups < 1 || a.Dilation < 1)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"{name}: stride {a.Stride}, padding {a.Padding}, dilation {a.Dilation}, groups {a.Groups}; the stride, dilation and groups must be at least 1 and the padding not negative.");
        }

        public static void Check(LogicalGraph g, LogicalOp op, int channels, string name)
        {
            if (op.Inputs.Length < 3) return;
            var b = g.Tensor(op.Inputs[2]);
            if (op.Inputs.Length > 3 || !b.Shape.Equals(new Shape(channels)))
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: the bias {b.Name} is {b.Shape} but the output has {channels} channels; declare it [Weight({channels})].");
        }

        /// <summary>The bias split as the output's channels, whole beside whole or split samples, partial beside a partial output.</summary>
        public static IEnumerable<Signature> Signatures(SignatureContext c, IEnumerable<Signature> unbiased)
        {
            foreach (var s in unbiased)
            {
                if (c.InputCount < 3) { yield return s; continue; }
                var bias = s.Output.IsPartial ? Sbp.P : s.Output.IsSplit && s.Output.Axis == 1 ? Sbp.S(0) : Sbp.B;
                yield return Signature.In(s.Inputs[0], s.Inputs[1], bias).Out(s.Output);
            }
        }

        public static void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            if (op.Inputs.Length < 3 || !ad.NeedsGradient(op.Inputs[2])) return;
            int b = op.Inputs[2], channels = ad.ShapeOf(b)[0];
            int summed = ad.Emit(OpKind.SumTo, new[] { dy }, b, new SumToAttributes(new Shape(channels, 1, 1)));
            ad.Accumulate(b, ad.Emit(OpKind.Reshape, new[] { summed }, b, new ReshapeAttributes(new long[] { channels })));
        }

        public static string[] OnnxInputs(OnnxWriter w)
            => w.Op.Inputs.Length == 3 ? new[] { w.Input(0), w.Input(1), w.Input(2) } : new[] { w.Input(0), w.Input(1) };
    }

    /// <summary>dx from dy [N, O, H', W'] and w: per sample, wᵀ·dy folded back onto the input's pixels (the adjoint
    /// of unfolding). Its last two arguments are x's height and width, which a strided convolution cannot recover.</summary>
    internal sealed class Conv2dGradInputOp : GradientOp
    {
        public override string[] Operands => new[] { "dy", "w" };
        public override OpAttributes ReadAttributes(AttributeReader r) => ConvGradAttributes.Read(r);
        public static ConvGeometry Geometry(IOpAttributes op, Shape dy, Shape w, Shape dx) => new ConvGeometry(dx, w, Conv2dOp.Attributes(op));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape dy = ShapeOf(g, op, 0), w = ShapeOf(g, op, 1);
            var a = op.Get<ConvGradAttributes>();
            return new Shape(dy[0], w[1] * a.Conv.Groups, a.Height, a.Width);
        }

        public override double Flops(LogicalGraph g, LogicalOp op) => Geometry(op, ShapeOf(g, op, 0), ShapeOf(g, op, 1), g.Tensor(op.Output).Shape).Flops;

        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => Geometry(op, inputs[0], inputs[1], output).UnfoldWorkspace;

        public override IEnumerable<Signature> Signatures(SignatureContext c) => InputGradientSignatures(Conv2dOp.Attributes(c.Op).Groups);

        /// <summary>Samples split alike; dy's channels split with w's rows give partial sums; w's columns split give
        /// dx's channels. The channel splits need one group.</summary>
        internal static IEnumerable<Signature> InputGradientSignatures(int groups)
        {
            yield return In(Sbp.S(0), Sbp.B).Out(Sbp.S(0));
            if (groups == 1)
            {
                yield return In(Sbp.S(1), Sbp.S(0)).Out(Sbp.P);
                yield return In(Sbp.B, Sbp.S(1)).Out(Sbp.S(1));
            }
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.P).Out(Sbp.P);
        }
    }

    /// <summary>dw from x and dy: Σ over samples of dy·colsᵀ. Its last two arguments are the kernel's height and width.</summary>
    internal sealed class Conv2dGradWeightOp : GradientOp
    {
        public override string[] Operands => new[] { "x", "dy" };
        public override OpAttributes ReadAttributes(AttributeReader r) => ConvGradAttributes.Read(r);
        public static ConvGeometry Geometry(IOpAttributes op, Shape x, Shape dy, Shape dw) => new ConvGeometry(x, dw, Conv2dOp.Attributes(op));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), dy = ShapeOf(g, op, 1);
            var a = op.Get<ConvGradAttributes>();
            return new Shape(dy[1], x[1] / a.Conv.Groups, a.Height, a.Width);
        }

        public override double Flops(LogicalGraph g, LogicalOp op) => Geometry(op, ShapeOf(g, op, 0), ShapeOf(g, op, 1), g.Tensor(op.Output).Shape).Flops;

        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => Geometry(op, inputs[0], inputs[1], output).WeightGradWorkspace;

        /// <summary>Split samples give each device a partial sum of dw; a split of dy's channels gives dw's rows, of
        /// x's channels dw's columns.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            yield return In(Sbp.S(0), Sbp.S(0)).Out(Sbp.P);
            if (Conv2dOp.Attributes(c.Op).Groups == 1)
            {
                yield return In(Sbp.B, Sbp.S(1)).Out(Sbp.S(0));
                yield return In(Sbp.S(1), Sbp.B).Out(Sbp.S(1));
            }
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P, Sbp.B).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.P).Out(Sbp.P);
        }
    }
}
