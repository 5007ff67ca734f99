using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A pooling window: square, <see cref="Kernel"/> wide, moved <see cref="Stride"/> at a time, without
    /// padding. Over x [N, C, H, W] it gives [N, C, H', W'] with H' = (H − kernel) / stride + 1.</summary>
    internal sealed record PoolWindow(int Kernel, int Stride) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("kernel", Kernel).Int("stride", Stride);
        public static PoolWindow Read(AttributeReader r) => new PoolWindow(r.Int("kernel"), r.Int("stride"));

        /// <summary>The window of a pool, or of its gradient.</summary>
        public static PoolWindow Of(IOpAttributes op) => op.Attributes is AvgPool2dGradAttributes grad ? grad.Window : op.Get<PoolWindow>();

        /// <summary>A pooling call's window, from its constant arguments (kernel, stride).</summary>
        public static PoolWindow FromCall(string subject, double[] args, string name)
            => args.Length == 2 ? new PoolWindow((int)args[0], (int)args[1]) : throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{name} takes a kernel size and a stride after its tensor.");

        public int Out(int length) => (length - Kernel) / Stride + 1;

        /// <summary>The pooled shape of operand <paramref name="input"/>, checked, for the op users call <paramref name="name"/>.</summary>
        public static Shape Pooled(LogicalGraph g, LogicalOp op, int input, string name)
        {
            var x = g.Tensor(op.Inputs[input]);
            var w = Of(op);
            if (x.Shape.Rank != 4)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: {x.Name} is {x.Shape} but must be [N, C, H, W].");
            if (w.Kernel < 1 || w.Stride < 1)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: kernel {w.Kernel} and stride {w.Stride} must both be at least 1.");
            if (w.Kernel > x.Shape[2] || w.Kernel > x.Shape[3])
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"{name}: the {w.Kernel}x{w.Kernel} window is larger than {x.Name} {x.Shape}; pooling has no padding, so use a kernel of at most {System.Math.Min(x.Shape[2], x.Shape[3])}.");
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
