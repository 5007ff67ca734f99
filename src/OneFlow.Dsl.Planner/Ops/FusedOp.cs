using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>One step of a fused group's program: <see cref="PointwiseForm"/>'s code on values numbered as the
    /// group's inputs first, then the steps before it.</summary>
    internal sealed record FusedInstruction(PointwiseCode Code, int[] Operands, double Constant);

    /// <summary>Where a fused group's input runs in the output: for each of its axes the output axis it runs along, −1
    /// where it has length 1 and repeats. The axes it runs along are consecutive, output axes [From, To), so that output
    /// element i reads element (i / Π out[To..]) mod Π out[From..To) of it: a bias along the last axis, a channel's
    /// scale, a scalar, the tensor itself.</summary>
    internal sealed record FusedInput(int[] Axes)
    {
        public int From { get; } = Axes.Where(a => a >= 0).DefaultIfEmpty(0).Min();
        public int To { get; } = Axes.Where(a => a >= 0).Select(a => a + 1).DefaultIfEmpty(0).Max();

        /// <summary>True when the axes the input runs along are consecutive and in order, as the kernels index it.</summary>
        public bool Contiguous
        {
            get
            {
                var along = Axes.Where(a => a >= 0).ToArray();
                return along.Select((a, k) => a - k).Distinct().Count() <= 1;
            }
        }
    }

    /// <summary>A group's program, its inputs' axes and its output's shape; the last step's value is the output.</summary>
    internal sealed record FusedAttributes(IReadOnlyList<FusedInstruction> Program, IReadOnlyList<FusedInput> Inputs, Shape Shape) : OpAttributes
    {
        internal override void Write(AttributeWriter w)
            => w.Ints("codes", Program.Select(s => (int)s.Code)).Ints("args", Program.SelectMany(s => s.Operands)).Doubles("constants", Program.Select(s => s.Constant))
                .Ints("ranks", Inputs.Select(i => i.Axes.Length)).Ints("axes", Inputs.SelectMany(i => i.Axes)).Ints("shape", Shape.ToArray());

        public static FusedAttributes Read(AttributeReader r)
        {
            int[] codes = r.Ints("codes"), args = r.Ints("args"), ranks = r.Ints("ranks"), axes = r.Ints("axes");
            double[] constants = r.Doubles("constants");
            var program = new List<FusedInstruction>();
            int next = 0;
            for (int i = 0; i < codes.Length; i++)
            {
                var code = (PointwiseCode)codes[i];
                int arity = PointwiseForm.Arity(code);
                program.Add(new FusedInstruction(code, args.Skip(next).Take(arity).ToArray(), constants[i]));
                next += arity;
            }
            var inputs = new List<FusedInput>();
            next = 0;
            foreach (int rank in ranks)
            {
                inputs.Add(new FusedInput(axes.Skip(next).Take(rank).ToArray()));
                next += rank;
            }
            return new FusedAttributes(program, inputs, new Shape(r.Ints("shape")));
        }

        public override string ToString() => string.Join("; ", Program.Select(s => $"{s.Code}({string.Join(", ", s.Operands)})"));
    }

    /// <summary>A chain of elementwise ops as one kernel (<c>Passes/Fusion</c>): every output element is computed
    /// through the whole program at once, from its inputs' elements, so the values between the ops are never stored.
    /// The pass makes it after SBP selection from ops that read each other's parts as they are, so each device runs
    /// the program on its parts; every axis an input runs along may be split.</summary>
    internal sealed class FusedOp : OpDef
    {
        public override string NotDifferentiable => "the fusion pass makes it after autograd, from ops whose gradients are already in the graph";

        public static FusedAttributes Attributes(IOpAttributes op) => op.Get<FusedAttributes>();

        public override OpAttributes ReadAttributes(AttributeReader r) => FusedAttributes.Read(r);

        public override Shape InferShape(LogicalGraph g, LogicalOp op) => Attributes(op).Shape;

        public override double Flops(LogicalGraph g, LogicalOp op) => Attributes(op).Program.Count * (double)Attributes(op).Shape.Elements;

        /// <summary>An output axis may be split where every input that runs along it is split with it; all whole gives whole.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var a = Attributes(c.Op);
            for (int axis = 0; axis < a.Shape.Rank; axis++)
                yield return In(a.Inputs.Select(i => System.Array.IndexOf(i.Axes, axis) is int j && j >= 0 ? Sbp.S(j) : Sbp.B).ToArray()).Out(Sbp.S(axis));
            yield return In(Repeat(Sbp.B, a.Inputs.Count)).Out(Sbp.B);
        }
    }
}
