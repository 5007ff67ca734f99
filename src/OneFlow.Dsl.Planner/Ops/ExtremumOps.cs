using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Onnx;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The axis an extremum is taken over (from the end where negative) and whether it stays, of length 1.</summary>
    internal sealed record ExtremumAttributes(int Axis, bool KeepDim) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis).Bool("keepDim", KeepDim);
    }

    /// <summary><c>torch.max(x, dim, keepdim).values</c> and its kin over any axis, written as the last-axis kernels
    /// (<see cref="MaxLastOp"/>, <see cref="ArgMaxLastOp"/>): the axis moved last by a permutation (the other axes keep
    /// their order), the extremum, and a reshape that puts a length-1 axis back for keepDim. Min is −max(−x), so its
    /// gradient and ties follow max's: to the first extremum, as PyTorch's index-based max and min.</summary>
    internal abstract class ExtremumOp : CompositeOp
    {
        protected abstract bool Minimum { get; }
        protected abstract bool Positions { get; }

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length <= 2 ? new ExtremumAttributes(args.Length > 0 ? (int)args[0] : -1, args.Length > 1 && args[1] != 0)
                : throw BadCall(subject, $"{UserName} takes an axis and keepDim after its tensor.");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var (written, keep) = (ExtremumAttributes)attributes!;
            var x = b.ShapeOf(inputs[0]);
            if (x.Rank == 0 || written < -x.Rank || written >= x.Rank)
                throw b.Mismatch($"{UserName}: axis {written} is out of range for {b.NameOf(inputs[0])} {x}; write an axis from {-x.Rank} to {x.Rank - 1}.");
            int axis = (written + x.Rank) % x.Rank, value = inputs[0];
            if (axis != x.Rank - 1)
                value = b.Add(OpKind.Permute, new[] { value }, "moved", new PermuteAttributes(Enumerable.Range(0, x.Rank).Where(a => a != axis).Append(axis).ToArray()));
            if (Minimum) value = b.Add(OpKind.Neg, new[] { value }, "negated");
            value = b.Add(Positions ? OpKind.ArgMaxLast : OpKind.MaxLast, new[] { value }, "extremum");
            if (Minimum && !Positions) value = b.Add(OpKind.Neg, new[] { value }, "min");
            if (!keep) return value;
            var dims = x.ToArray().Select(d => (long)d).ToArray();
            dims[axis] = 1;
            if (axis != 0) dims[0] = -1;
            return b.Add(OpKind.Reshape, new[] { value }, "kept", new ReshapeAttributes(dims));
        }

        /// <summary>Decoded one position at a time, as any reduction: not over the positions (kept as an axis of length 1
        /// with keepDim).</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int rank = d.Rank(s.Inputs[0]), axis = s.Args.Count == 0 ? rank - 1 : ((int)s.Args[0] + rank) % rank;
            if (s.Args.Count > 1 && s.Args[1] != 0)
            {
                d.Along(s, times[0], axis, "reduces over");
                d.Emit(s, times[0]);
            }
            else d.Reduced(s, times[0], axis);
        }
    }

    internal sealed class MaxOp : ExtremumOp
    {
        public override string UserName => "Max";
        protected override bool Minimum => false;
        protected override bool Positions => false;
    }

    internal sealed class MinOp : ExtremumOp
    {
        public override string UserName => "Min";
        protected override bool Minimum => true;
        protected override bool Positions => false;
    }

    internal sealed class ArgMaxOp : ExtremumOp
    {
        public override string UserName => "ArgMax";
        public override string NotDifferentiable => "it gives positions, which are integers";
        protected override bool Minimum => false;
        protected override bool Positions => true;
    }

    internal sealed class ArgMinOp : ExtremumOp
    {
        public override string UserName => "ArgMin";
        public override string NotDifferentiable => "it gives positions, which are integers";
        protected override bool Minimum => true;
        protected override bool Positions => true;
    }

    /// <summary>The position of each row's first maximum over the last axis, [.., C] → [..] integers; a NaN counts as
    /// the maximum, as in PyTorch.</summary>
    internal sealed class ArgMaxLastOp : OpDef
    {
        public override string NotDifferentiable => "it gives positions, which are integers";
        public override DType OutputType(LogicalGraph g, LogicalOp op) => DType.I32;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            if (x.Rank == 0) throw Mismatch(op, $"ArgMax: {NameOf(g, op, 0)} is a scalar; there is no axis to reduce.");
            return new Shape(x.ToArray().Take(x.Rank - 1).ToArray());
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("x").Rank;
            for (int axis = 0; axis < rank - 1; axis++) yield return In(Sbp.S(axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B).Out(Sbp.B);
        }

        /// <summary>ONNX's ArgMax gives int64; the plan's integers are int32.</summary>
        public override void ToOnnx(OnnxWriter w)
            => w.Emit("Cast", new[] { w.Node("ArgMax", new[] { w.Input(0) }, OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("keepdims", 0L)) }, OnnxAttribute.Of("to", 6L));
    }
}
