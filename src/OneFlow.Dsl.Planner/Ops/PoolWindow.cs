using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A pooling window: square, <see cref="Kernel"/> wide, moved <see cref="Stride"/> at a time, without
    /// padding. Over x [N, C, H, W] it gives [N, C, H', W'] with H' = (H − kernel) / stride + 1.</summary>
    internal readonly struct PoolWindow
    {
        public PoolWindow(int kernel, int stride) { Kernel = kernel; Stride = stride; }

        public int Kernel { get; }
        public int Stride { get; }

        public static PoolWindow Of(IOpAttributes op) => new PoolWindow((int)op.Args[0], (int)op.Args[1]);

        public int Out(int length) => (length - Kernel) / Stride + 1;

        /// <summary>The pooled shape of operand <paramref name="input"/>, checked, for the op users call <paramref name="name"/>.</summary>
        public static Shape Pooled(LogicalGraph g, LogicalOp op, int input, string name)
        {
            var x = g.Tensor(op.Inputs[input]);
            if (op.Args.Length < 2) throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name} takes a kernel size and a stride after its tensor.");
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
            for (int axis = 0; axis < 2; axis++) yield return new Signature(Sbp.S(axis), Repeat(Sbp.S(axis), inputs));
            yield return new Signature(Sbp.B, Repeat(Sbp.B, inputs));
            if (linear) yield return new Signature(Sbp.P, Repeat(Sbp.P, inputs));
        }

        private static Sbp[] Repeat(Sbp sbp, int count)
        {
            var all = new Sbp[count];
            for (int i = 0; i < count; i++) all[i] = sbp;
            return all;
        }
    }
}
