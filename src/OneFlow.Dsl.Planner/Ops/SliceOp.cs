using System.Linq;
using System.Collections.Generic;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Slice(x, axis, start, length) and its two-operand inverse Concat(a, b, axis): the sliced or joined
    /// axis must be whole on every device; any other axis may be split.</summary>
    internal static class AxisOps
    {
        /// <summary>Checks that <paramref name="axis"/> exists in input <paramref name="input"/>.</summary>
        public static int CheckedAxis(LogicalGraph g, LogicalOp op, int input, int axis, string name)
        {
            var x = g.Tensor(op.Inputs[input]).Shape;
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

    internal sealed class SliceOp : OpDef
    {
        public override string UserName => "Slice";
        public override void ToOnnx(OnnxWriter w)
        {
            var (axis, start, length) = Attributes(w.Op);
            w.Emit("Slice", new[] { w.Input(0), w.Longs(start), w.Longs(start + length), w.Longs(axis) });
        }


        public static (int Axis, int Start, int Length) Attributes(IOpAttributes op)
            => op.Args.Length == 3 ? ((int)op.Args[0], (int)op.Args[1], (int)op.Args[2]) : (-1, -1, -1);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var (axis, start, length) = Attributes(op);
            AxisOps.CheckedAxis(g, op, 0, axis, "Slice");
            var x = ShapeOf(g, op, 0);
            if (start < 0 || length <= 0 || start + length > x[axis])
                throw Mismatch(op, $"Slice: write Slice(x, axis, start, length) within {NameOf(g, op, 0)} {x}; axis {axis} has {x[axis]} entries.");
            return x.With(axis, length);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => AxisOps.Signatures(ShapeOf(g, op, 0).Rank, Attributes(op).Axis, 1);

        /// <summary>The gradient is dy placed back at its offset in zeros of x's shape.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            var (axis, start, _) = Attributes(op);
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.SliceGrad, new[] { dy }, x, args: SliceGradOp.Arguments(axis, start, ad.ShapeOf(x)[axis])));
        }
    }

    /// <summary>dy written at a start along an axis into zeros of the full length: the gradient of a slice.</summary>
    internal sealed class SliceGradOp : GradientOp
    {

        public static double[] Arguments(int axis, int start, int fullLength) => new double[] { axis, start, fullLength };
        public static (int Axis, int Start, int FullLength) Attributes(IOpAttributes op) => ((int)op.Args[0], (int)op.Args[1], (int)op.Args[2]);

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0).With(Attributes(op).Axis, Attributes(op).FullLength);
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => AxisOps.Signatures(ShapeOf(g, op, 0).Rank, Attributes(op).Axis, 1);
    }

    /// <summary>Concat(a, b, axis): b after a along the axis; the other dimensions must agree.</summary>
    internal sealed class ConcatOp : OpDef
    {
        public override string UserName => "Concat";
        public override void ToOnnx(OnnxWriter w)
            => w.Emit("Concat", Enumerable.Range(0, w.Op.Inputs.Length).Select(w.Input).ToArray(), OnnxAttribute.Of("axis", (long)Axis(w.Op)));


        public static int Axis(IOpAttributes op) => op.Args.Length == 1 ? (int)op.Args[0] : -1;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            int axis = AxisOps.CheckedAxis(g, op, 0, Axis(op), "Concat");
            Shape a = ShapeOf(g, op, 0), b = ShapeOf(g, op, 1);
            if (a.Rank != b.Rank || !a.With(axis, 0).Equals(b.With(axis, 0)))
                throw Mismatch(op, $"Concat: {NameOf(g, op, 0)} is {a} but {NameOf(g, op, 1)} is {b}; they may differ only along axis {axis}.");
            return a.With(axis, a[axis] + b[axis]);
        }

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) => AxisOps.Signatures(ShapeOf(g, op, 0).Rank, Axis(op), 2);

        /// <summary>Each operand's gradient is its slice of dy.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int axis = Axis(op), first = ad.ShapeOf(op.Inputs[0])[axis];
            for (int i = 0; i < 2; i++)
            {
                int x = op.Inputs[i];
                if (ad.NeedsGradient(x))
                    ad.Accumulate(x, ad.Emit(OpKind.Slice, new[] { dy }, x, args: new double[] { axis, i == 0 ? 0 : first, ad.ShapeOf(x)[axis] }));
            }
        }
    }
}
