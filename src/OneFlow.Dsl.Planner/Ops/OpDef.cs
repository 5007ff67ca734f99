using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>A legal way to run an op distributed: the SBP each input must have, then the SBP the output gets.
    /// Written <c>In(Sbp.S(1), Sbp.S(0)).Out(Sbp.P)</c>, inputs in the order of the op's operands.</summary>
    internal sealed class Signature
    {
        public Sbp[] Inputs { get; }
        public Sbp Output { get; }

        public Signature(Sbp[] inputs, Sbp output) { Inputs = inputs; Output = output; }

        public static SignatureInputs In(params Sbp[] inputs) => new SignatureInputs(inputs);

        public override string ToString() => "(" + string.Join(", ", System.Linq.Enumerable.Select(Inputs, s => s.ToString())) + ") -> " + Output;
    }

    /// <summary>The first half of a <see cref="Signature"/>: its inputs, waiting for the output.</summary>
    internal readonly struct SignatureInputs
    {
        private readonly Sbp[] _inputs;
        public SignatureInputs(Sbp[] inputs) { _inputs = inputs; }
        public Signature Out(Sbp output) => new Signature(_inputs, output);
    }

    /// <summary>Everything the framework knows of one op kind, in one place: its output shape, its SBP signatures, its
    /// gradient, its cost and its typed attributes. One file per op (with its gradient op), so that everything
    /// about MatMul is in MatMulOp.cs; the file registers its definitions itself (see <see cref="OpRegistry"/>).
    /// Eager calls and compiled plans run the same definition, and each backend has one kernel per kind.</summary>
    internal abstract class OpDef
    {
        /// <summary>The kind this definition is registered for (see <see cref="OpKind"/>).</summary>
        public OpKind Kind { get; internal set; }

        /// <summary>The name a user writes in Forward (the method of <c>OneFlow.Dsl.Ops</c>, or what a tensor operator
        /// lowers to); null for ops that only the planner makes (gradients, updates, boxing).</summary>
        public virtual string? UserName => null;

        /// <summary>Why the op has no gradient rule, for an op that has none (a gradient op, an update); null for an
        /// op that differentiates through <see cref="Backward"/>.</summary>
        public virtual string? NotDifferentiable => null;

        /// <summary>True for an op users do not call but a network derived by a pass (incremental decoding) holds as
        /// a statement, named by its kind.</summary>
        public virtual bool InDerivedNetworks => false;

        public virtual bool HasOutput => true;

        /// <summary>True for an op whose output on each device is its one input's bytes as they are (a reshape): the memory
        /// plan gives the output those bytes where the input is a step's value, and then the op does nothing.</summary>
        public virtual bool IsView => false;

        /// <summary>False for the ops a session carries out itself rather than through a kernel (feeds, boxing).</summary>
        public virtual bool RunsAsKernel => true;

        /// <summary>True for an op that an inference plan (and eager evaluation mode) replaces by its first operand,
        /// as dropout.</summary>
        public virtual bool IsIdentityWhenInferring => false;

        /// <summary>True when the signatures depend on an operand's current SBP (an update follows its weight), so
        /// that SBP selection must not cache them.</summary>
        public virtual bool SignaturesFollowOperands => false;

        public abstract Shape InferShape(LogicalGraph graph, LogicalOp op);
        public virtual DType OutputType(LogicalGraph graph, LogicalOp op) => DType.F32;
        /// <summary>The ways the op may run distributed along one mesh axis: what each operand must be, and what the
        /// output then is. The context names the operands (<see cref="Operands"/>) and tells the axis and devices.</summary>
        public abstract IEnumerable<Signature> Signatures(SignatureContext c);

        /// <summary>The operands' names, in order, as signatures and messages call them; a variadic op names the first ones.</summary>
        public virtual string[] Operands => new[] { "x" };

        /// <summary>The attributes of a call written with the constant arguments <paramref name="args"/> after its
        /// tensors (as Forward and the eager API give them), checked; null for an op without attributes.
        /// <paramref name="subject"/> is what an error points at.</summary>
        public virtual OpAttributes? FromCall(string subject, double[] args)
            => args.Length == 0 ? null : throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{UserName ?? Kind.ToString()} takes no constant arguments after its tensors.");

        /// <summary>For a parameter users write as a word (Gelu's <c>approximate: "tanh"</c>): the words it takes and the
        /// constant each stands for in <see cref="FromCall"/>'s arguments; null for a numeric parameter.</summary>
        public virtual IReadOnlyDictionary<string, double>? Choices(string parameter) => null;

        /// <summary>The constant <paramref name="word"/> stands for in a word parameter (an eager call's), as the
        /// generator finds it; a word the op does not take is refused, naming those it does.</summary>
        public double Choice(string parameter, string word)
        {
            var known = Choices(parameter) ?? new Dictionary<string, double>();
            return known.TryGetValue(word, out double code) ? code
                : throw new System.ArgumentException($"{UserName}'s {parameter} is one of {string.Join(", ", System.Linq.Enumerable.Select(known.Keys, k => "\"" + k + "\""))}, not \"{word}\".", parameter);
        }

        /// <summary>Reads the attributes <see cref="OpAttributes.Write"/> wrote into the plan text; null for an op without attributes.</summary>
        public virtual OpAttributes? ReadAttributes(AttributeReader r)
            => r.IsEmpty ? null : throw new System.FormatException($"{Kind} has no attributes, but the plan text gives it some.");

        /// <summary>The work of the whole (unsplit) op, in floating-point operations: one per output element
        /// unless the op says otherwise.</summary>
        public virtual double Flops(LogicalGraph graph, LogicalOp op) => op.Output >= 0 ? graph.Tensor(op.Output).Shape.Elements : 0;

        /// <summary>Floats of scratch memory one instance of the op needs while it runs, given its operands' and output's
        /// shapes on the device (a convolution unfolds its input there); the memory plan places it in the arena.</summary>
        public virtual long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => 0;

        /// <summary>For an output made of blocks that each begin with a count of rows of this many elements (the
        /// embedding exchange's requests and rows, <see cref="ExchangeLayout"/>): a transfer moves a block's header
        /// and counted rows only, so what crosses devices is sized by the distinct ids, not the capacity. 0 for a
        /// tensor moved whole.</summary>
        public virtual int RaggedRow(LogicalGraph graph, LogicalOp op) => 0;

        /// <summary>The operands the op changes in place (an update's weight and states); the eager tape marks them changed.</summary>
        public virtual int[] UpdatedOperands(IOpAttributes op) => System.Array.Empty<int>();

        /// <summary>Adds the ops computing the gradient of each input that needs one, given the gradient
        /// <paramref name="dy"/> of the output: as graph ops when planning, as eager computations when called directly.</summary>
        public virtual void Backward(GradientBuilder ad, LogicalOp op, int dy)
            => throw new PlanException(PlanErrorKind.ShapeMismatch, op.Subject,
                $"{Kind} has no gradient ({NotDifferentiable ?? "no rule is defined"}); it cannot appear between a weight and the loss.");

        /// <summary>Rewrites the statement <paramref name="s"/> for a network that decodes one position per step, its
        /// operands' positions at <paramref name="times"/> (at least one holds positions): says where its value's lie,
        /// reads an operand from a cache where it needs every position, or refuses what would mix positions. An op
        /// without a rule is refused.</summary>
        public virtual void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
            => throw d.Refuse(s.Output, $"{s.Op} has no rule for decoding one position at a time");

        /// <summary>True for an operand that may be a boolean mask (<see cref="DType.Bool"/>, a comparison's): Where's and
        /// MaskedFill's masks, and what only moves values (reshapes, boxing). A mask given anywhere else is refused.</summary>
        public virtual bool TakesMask(int operand) => false;

        /// <summary>The operands that hold integers (ids, class labels): a network's labels handed to one are class ids.</summary>
        public virtual int[] IntegerOperands => System.Array.Empty<int>();

        /// <summary>What the values of the op's integer operands must stay below, operand by operand, given the operands'
        /// whole shapes (an embedding's ids: the table's rows; class labels: the classes). A runner refuses a fed value
        /// outside them before anything runs, rather than fail inside a device thread.</summary>
        public virtual IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield break; }

        /// <summary>For a lookup of rows by ids (operands ids, table) that a table split by vocabulary turns into an
        /// exchange (<c>Passes/EmbeddingExchange</c>): how its rows combine, −1 one row per id, 0 a bag's sum, 1 a
        /// bag's mean; null for an op that is no such lookup.</summary>
        public virtual int? ExchangedLookup(IOpAttributes op) => null;

        /// <summary>What the op computes element by element, for an op the fusion pass may join with its neighbours into one
        /// kernel (<c>Passes/Fusion</c>); null for every other op.</summary>
        public virtual PointwiseForm? Pointwise(IOpAttributes op) => null;

        /// <summary>For a pointwise op: which axis of the output each axis of operand <paramref name="operand"/> runs along,
        /// −1 where the operand repeats (a length 1 broadcast): NumPy's broadcasting, operands aligned at their last axes.</summary>
        public virtual int[] PointwiseAxes(LogicalGraph g, LogicalOp op, int operand)
        {
            var x = ShapeOf(g, op, operand);
            var y = g.Tensor(op.Output).Shape;
            var axes = new int[x.Rank];
            for (int i = 0; i < x.Rank; i++)
            {
                int at = i + y.Rank - x.Rank;
                axes[i] = x[i] == 1 && y[at] != 1 ? -1 : at;
            }
            return axes;
        }

        /// <summary>The op that computes <paramref name="op"/>'s output again when the backward pass recomputes it to save
        /// memory: the op itself, unless a second run would differ (dropout draws a new mask, so its copy applies the
        /// original's).</summary>
        public virtual (OpKind Kind, OpAttributes? Attributes) Recomputed(LogicalOp op) => (op.Kind, op.Attributes);

        /// <summary>The ONNX operator that is this op exactly, operands in the same order; null where the op writes
        /// its form itself (<see cref="ToOnnx"/>) or has none.</summary>
        protected virtual string? OnnxOperator => null;

        /// <summary>Writes the op as ONNX nodes (an exported model's inference graph). An op without a form fails the
        /// export with its name.</summary>
        public virtual void ToOnnx(OnnxWriter w)
        {
            if (OnnxOperator == null) throw w.NoForm(UserName == null ? "the planner makes it (for training or decoding); Forward never holds it" : "none is defined");
            w.Emit(OnnxOperator, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(System.Linq.Enumerable.Range(0, w.Op.Inputs.Length), w.Input)));
        }

        protected static Shape ShapeOf(LogicalGraph g, LogicalOp op, int input) => g.Tensor(op.Inputs[input]).Shape;
        protected static string NameOf(LogicalGraph g, LogicalOp op, int input) => g.Tensor(op.Inputs[input]).Name;

        /// <summary>A shape error about <paramref name="op"/>, pointing at the statement that wrote it.</summary>
        protected static PlanException Mismatch(LogicalOp op, string message) => new PlanException(PlanErrorKind.ShapeMismatch, op.Subject, message);

        protected static void ExpectRank(LogicalGraph g, LogicalOp op, int input, int rank, string opName)
        {
            var shape = ShapeOf(g, op, input);
            if (shape.Rank != rank) throw Mismatch(op, $"{opName}: {NameOf(g, op, input)} is {shape} but must have rank {rank}.");
        }

        /// <summary>S(i) for every axis, B, and P where the op is linear in that operand: the signatures of an op
        /// that treats every element alike.</summary>
        protected static IEnumerable<Signature> ElementwiseSignatures(int rank, int inputs, bool linear)
        {
            for (int axis = 0; axis < rank; axis++)
                yield return In(Repeat(Sbp.S(axis), inputs)).Out(Sbp.S(axis));
            yield return In(Repeat(Sbp.B, inputs)).Out(Sbp.B);
            if (linear) yield return In(Repeat(Sbp.P, inputs)).Out(Sbp.P);
        }

        protected static SignatureInputs In(params Sbp[] inputs) => new SignatureInputs(inputs);

        /// <summary>A shape error about a call's constant arguments, pointing at <paramref name="subject"/>.</summary>
        protected static PlanException BadCall(string subject, string message) => new PlanException(PlanErrorKind.ShapeMismatch, subject, message);

        protected static Sbp[] Repeat(Sbp sbp, int count)
        {
            var result = new Sbp[count];
            for (int i = 0; i < count; i++) result[i] = sbp;
            return result;
        }
    }
}
