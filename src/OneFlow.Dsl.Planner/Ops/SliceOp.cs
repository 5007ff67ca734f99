using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Slice(x, axis, start, length) and its two-operand inverse Concat(a, b, axis): the sliced or joined
    /// axis must be whole on every device; any other axis may be split.</summary>
    internal static class AxisOps
    {
        public static int Axis(LogicalGraph g, LogicalOp op, int input, int arg, string name)
        {
            var x = g.Tensor(op.Inputs[input]).Shape;
            int axis = op.Args.Length > arg ? (int)op.Args[arg] : -1;
            if (axis < 0 || axis >= x.Rank)
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, $"{name}: axis {axis} is out of range for {g.Tensor(op.Inputs[input]).Name} {x}.");
            return axis;
        }

        public static IEnumerable<Signature> Signatures(int rank, int axis, int inputs)
        {
            for (int i = 0; i < rank; i++)
            {
                if (i == axis) continue;
                var ins = new Sbp[inputs];
                for (int k = 0; k < inputs; k++) ins[k] = Sbp.S(i);
                yield return new Signature(Sbp.S(i), ins);
            }
            var b = new Sbp[inputs];
            var p = new Sbp[inputs];
            for (int k = 0; k < inputs; k++) { b[k] = Sbp.B; p[k] = Sbp.P; }
            yield return new Signature(Sbp.B, b);
            yield return new Signature(Sbp.P, p);
        }
    }

    public sealed class SliceOp : OpDef
    {
        public override OpKind Kind => OpKind.Slice;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            int axis = AxisOps.Axis(g, op, 0, 0, "Slice");
            var x = ShapeOf(g, op, 0);
            int start = op.Args.Length == 3 ? (int)op.Args[1] : -1, length = op.Args.Length == 3 ? (int)op.Args[2] : -1;
            if (start < 0 || length <= 0 || start + length > x[axis])
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"Slice: write Slice(x, axis, start, length) within {NameOf(g, op, 0)} {x}; axis {axis} has {x[axis]} entries.");
            return x.With(axis, length);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => AxisOps.Signatures(ShapeOf(g, op, 0).Rank, (int)op.Args[0], 1);

        /// <summary>The gradient is dy placed back at its offset in zeros of x's shape.</summary>
        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.SliceGrad, new[] { dy }, x, args: new[] { op.Args[0], op.Args[1], ad.ShapeOf(x)[(int)op.Args[0]] }));
        }
    }

    /// <summary>SliceGrad(dy, axis, start, fullLength): dy written at start along axis into zeros of the full length.</summary>
    public sealed class SliceGradOp : OpDef
    {
        public override OpKind Kind => OpKind.SliceGrad;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0).With((int)op.Args[0], (int)op.Args[2]);
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => AxisOps.Signatures(ShapeOf(g, op, 0).Rank, (int)op.Args[0], 1);
    }

    /// <summary>Concat(a, b, axis): b after a along the axis; the other dimensions must agree.</summary>
    public sealed class ConcatOp : OpDef
    {
        public override OpKind Kind => OpKind.Concat;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            int axis = AxisOps.Axis(g, op, 0, 0, "Concat");
            Shape a = ShapeOf(g, op, 0), b = ShapeOf(g, op, 1);
            if (a.Rank != b.Rank || !a.With(axis, 0).Equals(b.With(axis, 0)))
                throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                    $"Concat: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; they may differ only along axis {axis}.");
            return a.With(axis, a[axis] + b[axis]);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => AxisOps.Signatures(ShapeOf(g, op, 0).Rank, (int)op.Args[0], 2);

        /// <summary>Each operand's gradient is its slice of dy.</summary>
        public override void Backward(Autograd ad, LogicalOp op, int dy)
        {
            int axis = (int)op.Args[0], first = ad.ShapeOf(op.Inputs[0])[axis];
            for (int i = 0; i < 2; i++)
            {
                int x = op.Inputs[i];
                if (ad.NeedsGradient(x))
                    ad.Accumulate(x, ad.Emit(OpKind.Slice, new[] { dy }, x, args: new double[] { axis, i == 0 ? 0 : first, ad.ShapeOf(x)[axis] }));
            }
        }
    }
}
