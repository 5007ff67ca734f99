using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>What a pad writes outside x: a constant, x mirrored about its edge (not repeating it), or the edge repeated.</summary>
    internal enum PadMode { Constant, Reflect, Replicate }

    /// <summary>A pad's widths in PyTorch's order (the last axis's before and after, then the axis before it's, …),
    /// its mode and the constant it writes.</summary>
    internal sealed record PadAttributes(int[] Pads, PadMode Mode, double Value) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("pads", Pads).Int("mode", (int)Mode).Double("value", Value);
        public static PadAttributes Read(AttributeReader r) => new PadAttributes(r.Ints("pads"), (PadMode)r.Int("mode"), r.Double("value"));

        /// <summary>The width added before axis <paramref name="axis"/> of a rank-<paramref name="rank"/> tensor.</summary>
        public int Before(int axis, int rank)
        {
            int pair = rank - 1 - axis;
            return 2 * pair < Pads.Length ? Pads[2 * pair] : 0;
        }

        public int After(int axis, int rank)
        {
            int pair = rank - 1 - axis;
            return 2 * pair + 1 < Pads.Length ? Pads[2 * pair + 1] : 0;
        }

        /// <summary>The index of x that output index <paramref name="i"/> − before reads along an axis of
        /// <paramref name="n"/>, or −1 where a constant pad writes its value: the rule both backends apply.</summary>
        public static int Source(int i, int n, int mode)
        {
            if (i >= 0 && i < n) return i;
            if (mode == (int)PadMode.Constant) return -1;
            if (mode == (int)PadMode.Replicate) return i < 0 ? 0 : n - 1;
            return i < 0 ? -i : 2 * (n - 1) - i;
        }
    }

    /// <summary>x widened along its last axes (<c>F.pad(x, pads, mode, value)</c>): <c>pads</c> gives a before and an
    /// after width per axis from the last; the axes it does not name keep their length and may be split.</summary>
    internal sealed class PadOp : OpDef
    {
        public override string UserName => "Pad";

        public static PadAttributes Attributes(IOpAttributes op) => op.Get<PadAttributes>();

        /// <summary>The pads, then the mode and the value (the generator and the eager call fill both in).</summary>
        public override OpAttributes FromCall(string subject, double[] args)
        {
            if (args.Length < 4 || args.Length % 2 != 0)
                throw BadCall(subject, "Pad takes an even number of widths (a before and an after per axis, from the last), then the mode and the value.");
            var pads = new int[args.Length - 2];
            for (int i = 0; i < pads.Length; i++)
            {
                pads[i] = (int)args[i];
                if (pads[i] < 0 || pads[i] != args[i]) throw BadCall(subject, $"Pad: width {args[i]} must be a whole number, not negative.");
            }
            double mode = args[args.Length - 2];
            if (mode != 0 && mode != 1 && mode != 2) throw BadCall(subject, "Pad's mode is \"constant\", \"reflect\" or \"replicate\".");
            return new PadAttributes(pads, (PadMode)(int)mode, args[args.Length - 1]);
        }

        public override IReadOnlyDictionary<string, double>? Choices(string parameter)
            => parameter == "mode" ? new Dictionary<string, double> { ["constant"] = 0, ["reflect"] = 1, ["replicate"] = 2 } : null;

        public override OpAttributes ReadAttributes(AttributeReader r) => PadAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            var a = Attributes(op);
            if (a.Pads.Length / 2 > x.Rank)
                throw Mismatch(op, $"Pad: {a.Pads.Length} widths pad {a.Pads.Length / 2} axes but {NameOf(g, op, 0)} {x} has {x.Rank}.");
            var y = x.ToArray();
            for (int axis = 0; axis < x.Rank; axis++)
            {
                int before = a.Before(axis, x.Rank), after = a.After(axis, x.Rank);
                if (a.Mode == PadMode.Reflect && (before >= x[axis] || after >= x[axis]))
                    throw Mismatch(op, $"Pad: reflecting {before} and {after} about axis {axis} of {NameOf(g, op, 0)} {x} needs widths below its length {x[axis]}.");
                y[axis] += before + after;
            }
            return new Shape(y);
        }

        /// <summary>Unpadded axes split alike; partial sums pass where the pad is linear (every mode but a nonzero constant).</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c) => Unpadded(c, linear: Attributes(c.Op).Mode != PadMode.Constant || Attributes(c.Op).Value == 0);

        internal static IEnumerable<Signature> Unpadded(SignatureContext c, bool linear)
        {
            var a = Attributes(c.Op);
            int rank = c.Output.Rank;
            for (int axis = 0; axis < rank; axis++)
                if (a.Before(axis, rank) == 0 && a.After(axis, rank) == 0) yield return In(Sbp.S(axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B).Out(Sbp.B);
            if (linear) yield return In(Sbp.P).Out(Sbp.P);
        }

        public override void ToOnnx(OnnxWriter w)
        {
            var a = Attributes(w.Op);
            int rank = w.InputShape(0).Rank;
            var pads = new long[2 * rank];
            for (int axis = 0; axis < rank; axis++) { pads[axis] = a.Before(axis, rank); pads[rank + axis] = a.After(axis, rank); }
            string mode = a.Mode == PadMode.Constant ? "constant" : a.Mode == PadMode.Reflect ? "reflect" : "edge";
            w.Emit("Pad", new[] { w.Input(0), w.Longs(pads), w.Scalar((float)a.Value) }, OnnxAttribute.Of("mode", mode));
        }

        /// <summary>dx: each output's dy added to the element it copied (nothing from a constant's border).</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.Emit(OpKind.PadGrad, new[] { dy }, x, op.Attributes));
        }
    }

    /// <summary>dx of a pad from dy: the pad's attributes, x's shape recovered by taking the widths off.</summary>
    internal sealed class PadGradOp : GradientOp
    {
        public override string[] Operands => new[] { "dy" };
        public override OpAttributes ReadAttributes(AttributeReader r) => PadAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var dy = ShapeOf(g, op, 0).ToArray();
            var a = PadOp.Attributes(op);
            for (int axis = 0; axis < dy.Length; axis++) dy[axis] -= a.Before(axis, dy.Length) + a.After(axis, dy.Length);
            return new Shape(dy);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) => PadOp.Unpadded(c, linear: true);
    }
}
