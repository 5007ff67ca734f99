using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>NumPy broadcasting for the binary elementwise ops: shapes aligned at their last axes, each pair of
    /// lengths equal or one of them 1 (a missing axis counts as 1), the output taking the larger.</summary>
    internal static class BroadcastShapes
    {
        public static Shape Infer(LogicalGraph g, LogicalOp op, string opName)
        {
            Shape a = g.Tensor(op.Inputs[0]).Shape, b = g.Tensor(op.Inputs[1]).Shape;
            return Of(a, b) ?? throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                $"{opName}: {g.Tensor(op.Inputs[0]).Name} is {a} but {g.Tensor(op.Inputs[1]).Name} is {b}; " +
                "aligned at their last axes, each pair of lengths must be equal or one of them 1.");
        }

        /// <summary>The broadcast shape, or null where the shapes do not broadcast.</summary>
        public static Shape? Of(Shape a, Shape b)
        {
            int rank = System.Math.Max(a.Rank, b.Rank);
            var y = new int[rank];
            for (int k = 0; k < rank; k++)
            {
                int da = Dim(a, k, rank), db = Dim(b, k, rank);
                if (da != db && da != 1 && db != 1) return null;
                y[k] = System.Math.Max(da, db);
            }
            return new Shape(y);
        }

        /// <summary>The length of <paramref name="shape"/> along output axis <paramref name="axis"/> of a
        /// rank-<paramref name="rank"/> output (1 where the operand has no such axis).</summary>
        public static int Dim(Shape shape, int axis, int rank)
        {
            int j = axis - (rank - shape.Rank);
            return j < 0 ? 1 : shape[j];
        }

        /// <summary>What an operand must be when the output is split along <paramref name="axis"/>: split along its
        /// own matching axis, or whole where it is repeated along that axis.</summary>
        public static Sbp AlongOutputSplit(Shape operand, Shape output, int axis)
        {
            int j = axis - (output.Rank - operand.Rank);
            return j >= 0 && operand[j] == output[axis] ? Sbp.S(j) : Sbp.B;
        }

        /// <summary>Signatures of a binary elementwise op: the output split along any axis (each operand split
        /// alike, or whole where it is broadcast along that axis), all broadcast, and partial sums where the op
        /// allows: <paramref name="linear"/> ops (a + b, a − b) may take two, <paramref name="scales"/> ops (a · b)
        /// one partial and one replicated operand.</summary>
        public static IEnumerable<Signature> Signatures(SignatureContext c, bool linear, bool scales)
        {
            Shape a = c.Input("a").Shape, b = c.Input("b").Shape, y = Of(a, b)!;
            for (int axis = 0; axis < y.Rank; axis++)
                yield return Signature.In(AlongOutputSplit(a, y, axis), AlongOutputSplit(b, y, axis)).Out(Sbp.S(axis));
            yield return Signature.In(Sbp.B, Sbp.B).Out(Sbp.B);
            if (linear) yield return Signature.In(Sbp.P, Sbp.P).Out(Sbp.P);
            if (scales)
            {
                yield return Signature.In(Sbp.P, Sbp.B).Out(Sbp.P);
                yield return Signature.In(Sbp.B, Sbp.P).Out(Sbp.P);
            }
        }

        /// <summary>Decoding a binary elementwise op: the operands' positions meet on one axis of the output; an operand
        /// without positions that still varies along them is a position embedding, read at the step's positions.</summary>
        public static void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            int rank = d.Rank(s.Output);
            int axis = -1, inner = 0, key = -1;
            for (int i = 0; i < times.Length; i++)
            {
                int shift = rank - d.Rank(s.Inputs[i]);
                if (times[i].Axis >= 0)
                {
                    if (axis >= 0 && axis != times[i].Axis + shift) throw d.Refuse(s.Output, "its operands hold their positions on different axes");
                    axis = times[i].Axis + shift;
                    inner = times[i].Inner;
                }
                if (times[i].Key >= 0)
                {
                    if (key >= 0 && key != times[i].Key + shift) throw d.Refuse(s.Output, "its operands hold their cached positions on different axes");
                    key = times[i].Key + shift;
                }
            }
            var inputs = s.Inputs.ToArray();
            for (int i = 0; i < times.Length; i++)
            {
                if (!times[i].None) continue;
                var shape = d.ShapeOf(inputs[i]);
                int shift = rank - shape.Rank;
                if (key >= 0 && key - shift >= 0 && shape[key - shift] != 1)
                    throw d.Refuse(s.Output, $"{inputs[i]} varies along the cached positions");
                if (axis >= 0 && axis - shift >= 0 && shape[axis - shift] != 1)
                    inputs[i] = d.ByPosition(s, inputs[i], axis - shift, axis, inner, rank);
            }
            d.Emit(s with { Inputs = new EquatableArray<string>(inputs) }, new PositionAxes(axis, inner, key));
        }

        /// <summary>The axes of <paramref name="from"/> along which a tensor of <paramref name="to"/> was repeated
        /// (every axis it lacks, even one of length 1: the sum has nowhere else to put it).</summary>
        public static bool[] ReducedAxes(Shape from, Shape to)
            => Enumerable.Range(0, from.Rank).Select(i => i < from.Rank - to.Rank || Dim(to, i, from.Rank) != from[i]).ToArray();
    }
}
