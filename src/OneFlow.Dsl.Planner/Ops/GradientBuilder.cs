using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>What an op's gradient rule (<see cref="OpDef.Backward"/>) writes to: the planner's autograd appends
    /// graph ops, the eager tape computes them at once. A rule names tensors by id and builds gradients from other
    /// ops, so one rule serves both.</summary>
    internal abstract class GradientBuilder
    {
        /// <summary>True when <paramref name="tensor"/> leads to a weight (or a tensor asking for its gradient).</summary>
        public abstract bool NeedsGradient(int tensor);

        public abstract Shape ShapeOf(int tensor);

        /// <summary>Adds an op computing part of the gradient of <paramref name="of"/> and returns its output.</summary>
        public abstract int Emit(OpKind kind, int[] inputs, int of, OpAttributes? attributes = null);

        /// <summary>Adds <paramref name="gradient"/> to the gradient of <paramref name="tensor"/> (a tensor read by
        /// several ops gets the sum of their gradients).</summary>
        public abstract void Accumulate(int tensor, int gradient);

        /// <summary>Gives a table's gradient as the rows it touched: row i of <paramref name="rows"/>, times
        /// <paramref name="scale"/>, for each of the ids in row i of <paramref name="ids"/> (one id per row, or a bag of
        /// them). True where the table is updated from those rows alone (sparse: nothing the size of the table is made);
        /// false where the caller must give a dense gradient instead. <paramref name="exchanged"/>: the ids and rows are
        /// the embedding exchange's requests and row gradients (<see cref="ExchangeLayout"/>), as each owner received them.</summary>
        public virtual bool AccumulateRows(int table, int ids, int rows, double scale, bool exchanged = false) => false;

        public int Mul(int a, int b, int of) => Emit(OpKind.Mul, new[] { a, b }, of);
        public int Div(int a, int b, int of) => Emit(OpKind.Div, new[] { a, b }, of);
        public int Neg(int a, int of) => Emit(OpKind.Neg, new[] { a }, of);
        public int Scale(int a, double c, int of) => Emit(OpKind.Scale, new[] { a }, of, new ScalarAttributes(c));

        /// <summary>Undoes a broadcast: a bias gradient is the sum over the rows it was added to.</summary>
        public int SumToShape(int gradient, int target)
        {
            Shape g = ShapeOf(gradient), t = ShapeOf(target);
            return g.Equals(t) ? gradient : Emit(OpKind.SumTo, new[] { gradient }, target, new SumToAttributes(t));
        }
    }
}
