using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The broadcasting the elementwise ops allow: equal shapes, or a vector against the last axis of a
    /// matrix (a bias over its rows).</summary>
    internal static class BroadcastShapes
    {
        public static Shape Infer(LogicalGraph g, LogicalOp op, string opName)
        {
            Shape a = g.Tensor(op.Inputs[0]).Shape, b = g.Tensor(op.Inputs[1]).Shape;
            if (a.Equals(b)) return a;
            if (IsRowBias(a, b)) return a;
            if (IsRowBias(b, a)) return b;
            throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                $"{opName}: {g.Tensor(op.Inputs[0]).Name} is {a} but {g.Tensor(op.Inputs[1]).Name} is {b}; " +
                "the shapes must be equal, or one must be a vector as long as the other's last dimension.");
        }

        /// <summary>True when <paramref name="vector"/> broadcasts over the rows of <paramref name="matrix"/>.</summary>
        public static bool IsRowBias(Shape matrix, Shape vector)
            => matrix.Rank == 2 && vector.Rank == 1 && matrix[1] == vector[0];

        /// <summary>Signatures of a binary elementwise op; <paramref name="linear"/> marks ops that may take two
        /// partial sums (a + b, a − b) and <paramref name="scales"/> ops that may take one partial and one
        /// replicated operand (a · b).</summary>
        public static System.Collections.Generic.IEnumerable<Ops.Signature> Signatures(LogicalGraph g, LogicalOp op, bool linear, bool scales)
        {
            Shape a = g.Tensor(op.Inputs[0]).Shape, b = g.Tensor(op.Inputs[1]).Shape;
            if (a.Equals(b))
            {
                for (int axis = 0; axis < a.Rank; axis++)
                    yield return new Signature(Sbp.S(axis), Sbp.S(axis), Sbp.S(axis));
            }
            else
            {
                bool biasIsB = IsRowBias(a, b);
                // Rows of the matrix split: the whole vector is needed on each device; columns split: the matching part.
                yield return biasIsB ? new Signature(Sbp.S(0), Sbp.S(0), Sbp.B) : new Signature(Sbp.S(0), Sbp.B, Sbp.S(0));
                yield return biasIsB ? new Signature(Sbp.S(1), Sbp.S(1), Sbp.S(0)) : new Signature(Sbp.S(1), Sbp.S(0), Sbp.S(1));
            }
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B);
            if (linear) yield return new Signature(Sbp.P, Sbp.P, Sbp.P);
            if (scales)
            {
                yield return new Signature(Sbp.P, Sbp.P, Sbp.B);
                yield return new Signature(Sbp.P, Sbp.B, Sbp.P);
            }
        }
    }
}
