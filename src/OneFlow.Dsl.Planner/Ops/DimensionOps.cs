using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The one axis a shape op works on, as written (from the end where negative).</summary>
    internal sealed record ShapeAxisAttributes(int Axis) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis);
    }

    /// <summary>Shapes as the axes a composite reshapes to: the batch axis written −1 where it is the first and kept,
    /// so that the reshape also fits a micro-batch.</summary>
    internal static class ShapeOpDims
    {
        public static ReshapeAttributes Of(Shape shape, bool batchKept)
        {
            var dims = shape.ToArray().Select(d => (long)d).ToArray();
            if (batchKept && dims.Length > 0) dims[0] = -1;
            return new ReshapeAttributes(dims);
        }

        public static int Checked(CompositeBuilder b, string name, int written, int rank, string what)
            => written >= -rank && written < rank ? (written + rank) % rank
                : throw b.Mismatch($"{name}: axis {written} is out of range for {what}; write an axis from {-rank} to {rank - 1}.");
    }

    /// <summary><c>torch.squeeze(x, dim)</c>: the axis dropped where its length is 1; x itself otherwise, as PyTorch.</summary>
    internal sealed class SqueezeOp : CompositeOp
    {
        public override string UserName => "Squeeze";

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new ShapeAxisAttributes((int)args[0]) : throw BadCall(subject, "Squeeze takes the axis after its tensor.");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var x = b.ShapeOf(inputs[0]);
            int axis = ShapeOpDims.Checked(b, "Squeeze", ((ShapeAxisAttributes)attributes!).Axis, x.Rank, $"{b.NameOf(inputs[0])} {x}");
            if (x[axis] != 1) return inputs[0];
            var y = new Shape(x.ToArray().Where((_, i) => i != axis).ToArray());
            return b.Add(OpKind.Reshape, inputs, "squeezed", ShapeOpDims.Of(y, axis != 0));
        }
    }

    /// <summary><c>torch.unsqueeze(x, dim)</c>: a new axis of length 1 at dim (from the end of the result where negative).</summary>
    internal sealed class UnsqueezeOp : CompositeOp
    {
        public override string UserName => "Unsqueeze";

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new ShapeAxisAttributes((int)args[0]) : throw BadCall(subject, "Unsqueeze takes the axis after its tensor.");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var x = b.ShapeOf(inputs[0]);
            int axis = ShapeOpDims.Checked(b, "Unsqueeze", ((ShapeAxisAttributes)attributes!).Axis, x.Rank + 1, $"{b.NameOf(inputs[0])} {x} and its new axis");
            var dims = x.ToArray().ToList();
            dims.Insert(axis, 1);
            return b.Add(OpKind.Reshape, inputs, "unsqueezed", ShapeOpDims.Of(new Shape(dims.ToArray()), axis != 0));
        }
    }

    /// <summary>The sizes an expand repeats x to, −1 keeping an axis.</summary>
    internal sealed record ExpandAttributes(int[] Sizes) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Ints("sizes", Sizes);
    }

    /// <summary><c>x.expand(sizes)</c>: x repeated along its axes of length 1 (and new leading axes), as NumPy broadcasting
    /// does: a <see cref="BroadcastToOp"/>, whose gradient sums the repeats back.</summary>
    internal sealed class ExpandOp : CompositeOp
    {
        public override string UserName => "Expand";

        public override OpAttributes FromCall(string subject, double[] args) => new ExpandAttributes(args.Select(a => (int)a).ToArray());

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var x = b.ShapeOf(inputs[0]);
            var sizes = ((ExpandAttributes)attributes!).Sizes;
            int lead = sizes.Length - x.Rank;
            var dims = new int[sizes.Length];
            for (int i = 0; i < sizes.Length; i++)
            {
                int had = i < lead ? -1 : x[i - lead];
                dims[i] = sizes[i] == -1 && had >= 0 ? had : sizes[i];
                if (lead < 0 || dims[i] < 1 || (had >= 0 && had != 1 && had != dims[i]))
                    throw b.Mismatch($"Expand: {b.NameOf(inputs[0])} {x} cannot be expanded to ({string.Join(", ", sizes)}); only its axes of length 1 repeat, and −1 keeps an axis.");
            }
            var target = new Shape(dims);
            return target.Equals(x) ? inputs[0] : b.Add(OpKind.BroadcastTo, inputs, "expanded", new SumToAttributes(target));
        }
    }

    /// <summary>x repeated to a shape it broadcasts to (the attribute, a <see cref="SumToAttributes"/> as its gradient
    /// sums back to x): an output axis split where x is repeated along it is x whole, sliced by each device.</summary>
    internal sealed class BroadcastToOp : OpDef
    {
        public override OpAttributes ReadAttributes(AttributeReader r) => new SumToAttributes(new Shape(r.Ints("target")));

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), y = SumToOp.Target(op);
            if (!y.Equals(BroadcastShapes.Of(x, y)))
                throw Mismatch(op, $"Expand: {NameOf(g, op, 0)} {x} does not broadcast to {y}.");
            return y;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            Shape x = c.Input("x").Shape, y = c.Output;
            for (int axis = 0; axis < y.Rank; axis++) yield return In(BroadcastShapes.AlongOutputSplit(x, y, axis)).Out(Sbp.S(axis));
            yield return In(Sbp.B).Out(Sbp.B);
            yield return In(Sbp.P).Out(Sbp.P);
        }

        /// <summary>ONNX's Expand broadcasts to the shape given with x's: a 1 where x keeps its axis, so that the batch axis stays open.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            Shape x = w.InputShape(0), y = w.OutputShape;
            int lead = y.Rank - x.Rank;
            w.Emit("Expand", new[] { w.Input(0), w.Longs(Enumerable.Range(0, y.Rank).Select(i => i >= lead && x[i - lead] == y[i] ? 1L : y[i]).ToArray()) });
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int x = op.Inputs[0];
            if (ad.NeedsGradient(x)) ad.Accumulate(x, ad.SumToShape(dy, x));
        }
    }
}
