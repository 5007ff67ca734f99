using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reshape(x, d0, d1, ...): the same elements in row-major order under a new shape; one dimension may
    /// be −1, inferred from the others.</summary>
    /// <summary>The shape as written, −1 where it is inferred.</summary>
    internal sealed record ReshapeAttributes(long[] Dims) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("dims", Dims);
    }

    internal sealed class ReshapeOp : OpDef
    {
        public override string UserName => "Reshape";
        /// <summary>The shape as written: its −1 is the batch axis that the exported model leaves open.</summary>
        public override void ToOnnx(OnnxWriter w) => w.Emit("Reshape", new[] { w.Input(0), w.Longs(Written(w.Op)) });


        /// <summary>The shape as written, −1 where it is inferred.</summary>
        public static long[] Written(IOpAttributes op) => op.Get<ReshapeAttributes>().Dims;
        public override OpAttributes FromCall(string subject, double[] args) => new ReshapeAttributes(args.Select(a => (long)a).ToArray());
        public override OpAttributes ReadAttributes(AttributeReader r) => new ReshapeAttributes(r.Longs("dims"));

        /// <summary>Moves elements without reading them: integers stay integers.</summary>
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override bool TakesMask(int operand) => true;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var x = ShapeOf(g, op, 0);
            var dims = Written(op);
            long known = dims.Where(d => d > 0).Aggregate(1L, (p, d) => p * d);
            int inferred = dims.Count(d => d == -1);
            if (inferred > 1 || dims.Any(d => d == 0 || d < -1) || (inferred == 1 && (known == 0 || x.Elements % known != 0)))
                throw Mismatch(op, $"Reshape: give the new shape of {NameOf(g, op, 0)} {x} as positive sizes, at most one of them −1.");
            var shape = new Shape(dims.Select(d => d == -1 ? (int)(x.Elements / known) : (int)d).ToArray());
            if (shape.Elements != x.Elements)
                throw Mismatch(op, $"Reshape: {NameOf(g, op, 0)} is {x} ({x.Elements} elements) but {shape} holds {shape.Elements}; " +
                    "write -1 for the axis that takes the rest (the batch axis, so that the reshape also fits a micro-batch).");
            return shape;
        }

        /// <summary>A split survives when everything before its axis keeps its size and either the axis keeps its
        /// length, or (on n devices) both the old and the new axis divide by n, as when a split batch [B,T,C] becomes
        /// [B·T,C]: the parts are then the same runs of elements before and after.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape x = c.Input("x").Shape, y = c.Output;
            for (int i = 0; i < x.Rank; i++)
                for (int j = 0; j < y.Rank; j++)
                    if (Prefix(x, i) == Prefix(y, j) && (x[i] == y[j] || Divides(c.Devices, x[i], y[j])))
                        yield return In(Sbp.S(i)).Out(Sbp.S(j));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        private static bool Divides(int devices, int a, int b) => devices > 1 && a % devices == 0 && b % devices == 0;

        private static long Prefix(Shape s, int axis)
        {
            long p = 1;
            for (int a = 0; a < axis; a++) p *= s[a];
            return p;
        }

        /// <summary>The position axis stays whole: it lands where its elements go, and a written length that counted
        /// every position counts one.</summary>
        public override void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            var x = times[0];
            Shape from = d.ShapeOf(s.Inputs[0]), to = d.ShapeOf(s.Output);
            var written = s.Args.ToArray();
            int axis = -1, inner = 0, key = -1;
            if (x.Axis >= 0)
            {
                (axis, inner) = d.Land(s, from, x.Axis, x.Inner, to);
                if (written[axis] != -1) written[axis] /= d.Context;
            }
            if (x.Key >= 0)
            {
                int keyInner;
                (key, keyInner) = d.Land(s, from, x.Key, 1, to);
                if (keyInner != 1 || to[key] != d.Context) throw d.Refuse(s.Output, "it merges the cached positions with another axis");
            }
            d.Emit(s with { Args = new EquatableArray<double>(written) }, new PositionAxes(axis, inner, key));
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x))
                ad.Accumulate(x, ad.Emit(OpKind.Reshape, new[] { dy }, x, new ReshapeAttributes(ad.ShapeOf(x).ToArray().Select(d => (long)d).ToArray())));
        }
    }
}
