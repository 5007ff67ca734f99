using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    internal enum Relation { Gt, Lt, Ge, Le, Eq, Ne }

    /// <summary>The number a tensor is compared with (<c>x &gt; 0.5</c>); absent when two tensors are compared.</summary>
    internal sealed record ComparisonAttributes(double Value) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Double("value", Value);
    }

    /// <summary>A boolean mask of a relation element by element (<c>torch.gt</c>, <c>lt</c>, <c>ge</c>, <c>le</c>,
    /// <c>eq</c>, <c>ne</c>): of two tensors broadcasting as NumPy, or of a tensor and a number. NaN compares false
    /// except under Ne, as IEEE says. The mask is what <see cref="WhereOp"/> and <see cref="MaskedFillOp"/> take; it has
    /// no gradient, being a step function of its operands.</summary>
    internal abstract class ComparisonOp : OpDef
    {
        public abstract Relation Relation { get; }

        /// <summary>Whether a <paramref name="relation"/> b: the rule both backends' kernels apply.</summary>
        public static bool Holds(int relation, float a, float b)
        {
            switch ((Relation)relation)
            {
                case Relation.Gt: return a > b;
                case Relation.Lt: return a < b;
                case Relation.Ge: return a >= b;
                case Relation.Le: return a <= b;
                case Relation.Eq: return a == b;
                default: return a != b;
            }
        }

        /// <summary>The ONNX operator of the relation, and whether its result is negated after (Ne is Not(Equal)).</summary>
        protected abstract (string Operator, bool Negated) Onnx { get; }

        public override string[] Operands => new[] { "a", "b" };
        public override string NotDifferentiable => "a comparison is a step function; its mask has no gradient";
        public override DType OutputType(LogicalGraph g, LogicalOp op) => DType.Bool;

        /// <summary>The number a one-tensor comparison compares with.</summary>
        public static float Value(IOpAttributes op) => (float)op.Get<ComparisonAttributes>().Value;

        public override OpAttributes? FromCall(string subject, double[] args)
            => args.Length == 0 ? null
                : args.Length == 1 && !double.IsNaN(args[0]) ? new ComparisonAttributes(args[0])
                : throw BadCall(subject, $"{UserName} compares two tensors, or a tensor with one number that is not NaN.");

        public override OpAttributes? ReadAttributes(AttributeReader r) => r.IsEmpty ? null : new ComparisonAttributes(r.Double("value"));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            bool number = op.Attributes is ComparisonAttributes;
            if (op.Inputs.Length != (number ? 1 : 2))
                throw Mismatch(op, $"{UserName} compares two tensors, or one tensor with a number.");
            for (int i = 0; i < op.Inputs.Length; i++)
                if (g.Tensor(op.Inputs[i]).DType != DType.F32)
                    throw Mismatch(op, $"{UserName}: {NameOf(g, op, i)} holds {g.Tensor(op.Inputs[i]).DType}; comparisons take float tensors.");
            if (number) return ShapeOf(g, op, 0);
            Shape a = ShapeOf(g, op, 0), b = ShapeOf(g, op, 1);
            return BroadcastShapes.Of(a, b) ?? throw Mismatch(op, $"{UserName}: {NameOf(g, op, 0)} {a} and {NameOf(g, op, 1)} {b} do not broadcast together.");
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
            => c.InputCount == 1 ? ElementwiseSignatures(c.Input("a").Rank, 1, linear: false) : BroadcastShapes.Signatures(c, linear: false, scales: false);

        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times) => BroadcastShapes.Decode(d, s, times);

        public override void ToOnnx(OnnxWriter w)
        {
            var (name, negated) = Onnx;
            var operands = w.Op.Inputs.Length == 2 ? new[] { w.Input(0), w.Input(1) } : new[] { w.Input(0), w.Scalar(Value(w.Op)) };
            if (negated) w.Emit("Not", new[] { w.Node(name, operands) });
            else w.Emit(name, operands);
        }
    }

    internal sealed class GtOp : ComparisonOp
    {
        public override string UserName => "Gt";
        public override Relation Relation => Relation.Gt;
        protected override (string, bool) Onnx => ("Greater", false);
    }

    internal sealed class LtOp : ComparisonOp
    {
        public override string UserName => "Lt";
        public override Relation Relation => Relation.Lt;
        protected override (string, bool) Onnx => ("Less", false);
    }

    internal sealed class GeOp : ComparisonOp
    {
        public override string UserName => "Ge";
        public override Relation Relation => Relation.Ge;
        protected override (string, bool) Onnx => ("GreaterOrEqual", false);
    }

    internal sealed class LeOp : ComparisonOp
    {
        public override string UserName => "Le";
        public override Relation Relation => Relation.Le;
        protected override (string, bool) Onnx => ("LessOrEqual", false);
    }

    internal sealed class EqOp : ComparisonOp
    {
        public override string UserName => "Eq";
        public override Relation Relation => Relation.Eq;
        protected override (string, bool) Onnx => ("Equal", false);
    }

    internal sealed class NeOp : ComparisonOp
    {
        public override string UserName => "Ne";
        public override Relation Relation => Relation.Ne;
        protected override (string, bool) Onnx => ("Equal", true);
    }
}
