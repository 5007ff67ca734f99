using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Which part of a split a call takes: the pieces' size (Split) or count (Chunk) as written, the axis, the
    /// part, and how many parts the caller expects (0 where it takes one by index and does not say).</summary>
    internal sealed record SplitAttributes(int Size, int Axis, int Index, int Parts) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("size", Size).Int("axis", Axis).Int("index", Index).Int("parts", Parts);

        /// <summary>A call's (size or chunks, axis), then the part and the parts expected, which the generator (from
        /// <c>parts[i]</c> or <c>var (a, b) = …</c>) and the eager call add.</summary>
        public static SplitAttributes FromCall(string subject, double[] args, string op, string cuts)
            => args.Length == 4 && args[0] >= 1
                ? new SplitAttributes((int)args[0], (int)args[1], (int)args[2], (int)args[3])
                : throw new PlanException(PlanErrorKind.ShapeMismatch, subject, $"{op} takes a positive {cuts} and an axis after its tensor.");
    }

    /// <summary>What Split and Chunk share: one of the parts of x along an axis, a slice; how the parts are cut is
    /// each op's (<see cref="Cut"/>).</summary>
    internal abstract class SplitPartOp : CompositeOp
    {
        /// <summary>The length of every part but perhaps the last, for an axis of <paramref name="length"/>.</summary>
        protected abstract int PieceLength(int length, int written);

        /// <summary>What the call's number counts, for messages ("size", "count of chunks").</summary>
        public abstract string Cuts { get; }

        /// <summary>How many parts an axis of <paramref name="length"/> gives, and each part's length before the last.</summary>
        public (int Parts, int Piece) Cut(int length, int written)
        {
            int piece = PieceLength(length, written);
            return ((length + piece - 1) / piece, piece);
        }

        public override OpAttributes FromCall(string subject, double[] args) => SplitAttributes.FromCall(subject, args, UserName!, Cuts);

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var a = (SplitAttributes)attributes!;
            var x = b.ShapeOf(inputs[0]);
            int axis = a.Axis < 0 ? a.Axis + x.Rank : a.Axis;
            if (axis < 0 || axis >= x.Rank) throw b.Mismatch($"{UserName}: axis {a.Axis} is out of range for {b.NameOf(inputs[0])} {x}.");
            var (parts, piece) = Cut(x[axis], a.Size);
            if (a.Parts > 0 && a.Parts != parts)
                throw b.Mismatch($"{UserName}: {b.NameOf(inputs[0])} {x} cut by {a.Size} along axis {a.Axis} gives {parts} part{(parts == 1 ? "" : "s")}, not the {a.Parts} taken.");
            if (a.Index < 0 || a.Index >= parts)
                throw b.Mismatch($"{UserName}: part {a.Index} of {parts}: {b.NameOf(inputs[0])} {x} cut by {a.Size} along axis {a.Axis} gives parts 0 to {parts - 1}.");
            int start = a.Index * piece;
            return b.Add(OpKind.Slice, inputs, "part", new SliceAttributes(axis, start, System.Math.Min(piece, x[axis] - start)));
        }
    }

    /// <summary>x cut into pieces of <c>size</c> along an axis, the last perhaps shorter (<c>torch.split(x, size, axis)</c>).</summary>
    internal sealed class SplitOp : SplitPartOp
    {
        public override string UserName => "Split";
        public override string Cuts => "size";
        protected override int PieceLength(int length, int written) => written;
    }

    /// <summary>x cut into <c>chunks</c> pieces of ⌈length / chunks⌉ along an axis, the last perhaps shorter, and fewer
    /// pieces where those cover the axis sooner (<c>torch.chunk(x, chunks, axis)</c>).</summary>
    internal sealed class ChunkOp : SplitPartOp
    {
        public override string UserName => "Chunk";
        public override string Cuts => "count of chunks";
        protected override int PieceLength(int length, int written) => (length + written - 1) / written;
    }

    /// <summary>Tensors of one shape joined along a new axis (<c>torch.stack(tensors, axis)</c>): each given a new axis
    /// of length 1 there, then concatenated.</summary>
    internal sealed class StackOp : CompositeOp
    {
        public override string UserName => "Stack";
        public override string[] Operands => new[] { "tensors" };

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new AxisAttributes((int)args[0]) : throw BadCall(subject, "Stack takes the axis after its tensors.");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var x = b.ShapeOf(inputs[0]);
            int written = ((AxisAttributes)attributes!).Axis, axis = written < 0 ? written + x.Rank + 1 : written;
            if (axis < 0 || axis > x.Rank) throw b.Mismatch($"Stack: axis {written} is out of range for tensors {x}; write an axis from {-x.Rank - 1} to {x.Rank}.");
            foreach (int t in inputs)
                if (!b.ShapeOf(t).Equals(x)) throw b.Mismatch($"Stack: {b.NameOf(inputs[0])} is {x} but {b.NameOf(t)} is {b.ShapeOf(t)}; stacked tensors have one shape.");
            var dims = x.ToArray().Select(d => (long)d).ToList();
            dims.Insert(axis, 1);
            if (axis > 0) dims[0] = -1;
            var parts = inputs.Select(t => b.Add(OpKind.Reshape, new[] { t }, "unsqueezed", new ReshapeAttributes(dims.ToArray()))).ToArray();
            return parts.Length == 1 ? parts[0] : b.Add(OpKind.Concat, parts, "stack", new AxisAttributes(axis));
        }
    }
}
