using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Where a value's positions lie while a network is decoded one position at a time: <see cref="Axis"/>
    /// holds the current position (within it, every <see cref="Inner"/> elements: a merged axis of rows × positions has
    /// Inner 1), <see cref="Key"/> every cached position (attention scores over keys); −1 where none.</summary>
    internal readonly struct PositionAxes
    {
        public PositionAxes(int axis, int inner, int key) { Axis = axis; Inner = inner; Key = key; }
        public int Axis { get; }
        public int Inner { get; }
        public int Key { get; }
        public bool None => Axis < 0 && Key < 0;
        public static readonly PositionAxes Constant = new PositionAxes(-1, 0, -1);

        /// <summary>The same positions after the axes move: axis a goes to <paramref name="move"/>(a).</summary>
        public PositionAxes Moved(System.Func<int, int> move) => new PositionAxes(Axis < 0 ? -1 : move(Axis), Inner, Key < 0 ? -1 : move(Key));
    }

    /// <summary>What an op's decoding rule (<see cref="OpDef.Decode"/>) writes to: the statements of the network that
    /// takes one new position per step (<c>Passes/IncrementalDecoding</c>), and the caches and lookups it adds. A rule
    /// says where its value's positions lie, rewrites the statement where it must, or refuses it.</summary>
    internal abstract class DecodingBuilder
    {
        /// <summary>The positions a cache holds: the sequence length the network was written for.</summary>
        public abstract int Context { get; }

        /// <summary>The decoder's input of each sequence's position in the step, [batch, 1] ids.</summary>
        public abstract string Position { get; }

        /// <summary>A value's shape as the network was written (every position).</summary>
        public abstract Shape ShapeOf(string value);

        public int Rank(string value) => ShapeOf(value).Rank;

        /// <summary>Adds the statement, its value's positions at <paramref name="time"/>.</summary>
        public abstract void Emit(OpDecl s, PositionAxes time);

        /// <summary>The operand with every position so far: appended to its cache (along <paramref name="axis"/>), read whole.</summary>
        public abstract string Cached(OpDecl s, string value, int axis);

        /// <summary>A weight whose first axis is the position (a position embedding), looked up at each sequence's
        /// position, to stand for the whole weight in a broadcast.</summary>
        public abstract string ByPosition(OpDecl s, string weight, int weightAxis, int axis, int inner, int rank);

        /// <summary>The axis of <paramref name="to"/> that the positions on axis <paramref name="axis"/> of
        /// <paramref name="from"/> (every <paramref name="inner"/> elements within it) fall in, and their step within it.</summary>
        public abstract (int Axis, int Inner) Land(OpDecl s, Shape from, int axis, int inner, Shape to);

        /// <summary>Why the network cannot be decoded, pointing at <paramref name="subject"/>.</summary>
        public abstract PlanException Refuse(string subject, string why);

        /// <summary>Refuses an op that works along <paramref name="axis"/> where the positions are.</summary>
        public void Along(OpDecl s, PositionAxes x, int axis, string what)
        {
            if (axis == x.Axis || axis == x.Key) throw Refuse(s.Output, $"it {what} the positions, so each position would depend on others");
        }

        /// <summary>A reduction over <paramref name="axis"/>, which must not hold positions: the axes after it move down.</summary>
        public void Reduced(OpDecl s, PositionAxes x, int axis)
        {
            Along(s, x, axis, "reduces over");
            Emit(s, x.Moved(a => a > axis ? a - 1 : a));
        }
    }
}
