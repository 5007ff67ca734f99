using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>What a composite op's expansion writes to: the graph builder appends plan ops for the statement, an
    /// eager call computes each op at once. One expansion serves both, as one gradient rule serves autograd and the tape.</summary>
    internal abstract class CompositeBuilder
    {
        /// <summary>True in a training plan, and in eager calls while <c>EagerMode.Training</c>.</summary>
        public abstract bool Training { get; }

        public abstract Shape ShapeOf(int tensor);

        /// <summary>The devices the statement runs on (1 for an eager call): how many parts a split by class makes.</summary>
        public virtual int Devices => 1;

        public abstract string NameOf(int tensor);

        /// <summary>Adds an op and returns its output (−1 for an op without one). <paramref name="part"/> names the
        /// intermediate value ("mean"): the statement's output name with it appended.</summary>
        public abstract int Add(OpKind kind, int[] inputs, string part, OpAttributes? attributes = null);

        /// <summary>A shape error about the statement being expanded.</summary>
        public abstract PlanException Mismatch(string message);
    }

    /// <summary>An op users call that the planner writes as several ops (batch norm: its statistics, which SBP
    /// reduces over the devices like any partial sum, then the normalisation). It is never in a graph, so it has no
    /// shape rule, signatures, kernel or gradient of its own: its parts have them.</summary>
    internal abstract class CompositeOp : OpDef
    {
        public override bool RunsAsKernel => false;

        /// <summary>Adds the parts for operands <paramref name="inputs"/> and the call's attributes (from
        /// <see cref="OpDef.FromCall"/>); returns the tensor that is the op's value.</summary>
        public abstract int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes);

        public sealed override Shape InferShape(LogicalGraph graph, LogicalOp op) => throw Expanded();

        public sealed override IEnumerable<Signature> Signatures(SignatureContext c) => throw Expanded();

        private System.InvalidOperationException Expanded() => new System.InvalidOperationException($"{Kind} is expanded into its parts before planning.");
    }
}
