using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A pooling window as PyTorch's <c>max_pool2d</c> / <c>avg_pool2d</c> take it: square, <see cref="Kernel"/>
    /// wide, moved <see cref="Stride"/> at a time over x [N, C, H, W] bordered by <see cref="Padding"/> on each side
    /// (padding is never a maximum; an average counts it only with <see cref="CountIncludePad"/>). H' = ⌊(H + 2p − k)/s⌋ + 1,
    /// or rounded up with <see cref="CeilMode"/>, a last window that would start in the right border dropped.</summary>
    internal sealed record PoolWindow(int Kernel, int Stride, int Padding = 0, bool CeilMode = false, bool CountIncludePad = true) : OpAttributes
    {
        internal override void Write(AttributeWriter w)
            => w.Int("kernel", Kernel).Int("stride", Stride).Int("padding", Padding).Bool("ceilMode", CeilMode).Bool("countIncludePad", CountIncludePad);

        public static PoolWindow Read(AttributeReader r)
            => new PoolWindow(r.Int("kernel"), r.Int("stride"), r.Int("padding"), r.Bool("ceilMode"), r.Bool("countIncludePad"));

        /// <summary>The window of a pool, or of its gradient.</summary>
        public static PoolWindow Of(IOpAttributes op) => op.Attributes is AvgPool2dGradAttributes grad ? grad.Window : op.Get<PoolWindow>();

        /// <summary>A pooling call's window from its constants (kernel, stride[, padding[, ceilMode[, countIncludePad]]]),
        /// checked as PyTorch checks them.</summary>
        public static PoolWindow FromCall(string subject, double[] args, string name, bool average)
        {
            int most = average ? 5 : 4;
            if (args.Length < 2 || args.Length > most)
                throw Bad(subject, $"{name} takes a kernel size and a stride after its tensor, then padding and ceilMode{(average ? " and countIncludePad" : "")}.");
            var window = new PoolWindow((int)args[0], (int)args[1], args.Length > 2 ? (int)args[2] : 0,
                args.Length > 3 && args[3] != 0, args.Length <= 4 || args[4] != 0);
            if (window.Kernel < 1 || window.Stride < 1)
                throw Bad(subject, $"{name}: kernel {window.Kernel} and stride {window.Stride} must both be at least 1.");
            if (window.Padding < 0 || window.Padding > window.Kernel / 2)
                throw Bad(subject, $"{name}: padding {window.Padding} must lie between 0 and half the kernel ({window.Kernel / 2}), as in PyTorch.");
            return window;
        }

        private static PlanException Bad(string subject, string message) => new PlanException(PlanErrorKind.ShapeMismatch, subject, message);

        /// <summary>Windows along an axis of <paramref name="length"/> positions.</summary>
        public int Out(int length)
        {
            int span = length + 2 * Padding - Kernel;
            int windows = (CeilMode ? (span + Stride - 1) / Stride : span / Stride) + 1;
            return CeilMode && (windows - 1) * Stride >= length + Padding ? windows - 1 : windows;
        }

        /// <summary>Window <paramref name="index"/> along an axis of <paramref name="length"/>: its positions in x,
        /// [First, End), and how many positions it spans with the border counted (an average's divisor with
        /// <see cref="CountIncludePad"/>).</summary>
        public (int First, int End, int Padded) Span(int index, int length)
        {
            int start = index * Stride - Padding, end = System.Math.Min(start + Kernel, length + Padding);
            return (System.Math.Max(start, 0), System.Math.Min(end, length), end - start);
        }

        /// <summary>What an average of window (i, j) divides by.</summary>
        public int Divisor(int i, int j, int h, int w)
        {
            var (top, bottom, rows) = Span(i, h);
            var (left, right, columns) = Span(j, w);
            return CountIncludePad ? rows * columns : (bottom - top) * (right - left);
        }

        /// <summary>The pooled shape of operand <paramref name="input"/>, checked, for the op users call <paramref name="name"/>.</summary>
        public static Shape Pooled(LogicalGraph g, LogicalOp op, int input, string name)
        {
            var x = g.Tensor(op.Inputs[input]);
            var w = Of(op);
            if (x.Shape.Rank != 4)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: {x.Name} is {x.Shape} but must be [N, C, H, W].");
            if (w.Kernel > x.Shape[2] + 2 * w.Padding || w.Kernel > x.Shape[3] + 2 * w.Padding)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"{name}: the {w.Kernel}x{w.Kernel} window is larger than {x.Name} {x.Shape} padded by {w.Padding}; use a kernel of at most {System.Math.Min(x.Shape[2], x.Shape[3]) + 2 * w.Padding}.");
            return new Shape(x.Shape[0], x.Shape[1], w.Out(x.Shape[2]), w.Out(x.Shape[3]));
        }

        /// <summary>Samples and channels pool independently: either may be split.</summary>
        public static IEnumerable<Signature> Signatures(int inputs, bool linear)
        {
            for (int axis = 0; axis < 2; axis++) yield return Signature.In(Repeat(Sbp.S(axis), inputs)).Out(Sbp.S(axis));
            yield return Signature.In(Repeat(Sbp.B, inputs)).Out(Sbp.B);
            if (linear) yield return Signature.In(Repeat(Sbp.P, inputs)).Out(Sbp.P);
        }

        private static Sbp[] Repeat(Sbp sbp, int count)
        {
            var all = new Sbp[count];
            for (int i = 0; i < count; i++) all[i] = sbp;
            return all;
        }
    }
}
