using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>A causal network rewritten to take one new position of each sequence per step: <see cref="Spec"/> is
    /// an ordinary network (planned, placed and run like any other) whose sequence inputs hold one position, with an
    /// input of positions and buffers that cache every position's keys and values.</summary>
    public sealed class DecodingNetwork
    {
        public DecodingNetwork(NetworkSpec spec, int context, IReadOnlyList<TensorDecl> caches, int outputPositionAxis)
        {
            Spec = spec; Context = context; Caches = caches; OutputPositionAxis = outputPositionAxis;
        }

        public NetworkSpec Spec { get; }
        /// <summary>The positions a cache holds: the sequence length the network was written for.</summary>
        public int Context { get; }
        /// <summary>The cache buffers, zero before the first step.</summary>
        public IReadOnlyList<TensorDecl> Caches { get; }
        /// <summary>The axis of Forward's value that holds the position.</summary>
        public int OutputPositionAxis { get; }
    }

    /// <summary>Derives a network's incremental decoder from Forward as written. The inputs' first axis after the batch
    /// is the position; each value's position axis is followed through the ops. Values that only depend on their own
    /// position are computed for the new one; an operand that a product reads at every position (attention's keys
    /// and values) is appended to a cache of all positions and read from it; the causal softmax masks the positions
    /// not filled yet; a weight read by position (a position embedding) is looked up at the new one. Anything that
    /// would need a later position, or mixes positions otherwise, is refused with the statement that does it.</summary>
    public static class IncrementalDecoding
    {
        /// <summary>The decoder's extra input: each sequence's position in this step, [batch, 1] ids.</summary>
        public const string Position = "decode.position";

        public static DecodingNetwork Derive(NetworkSpec spec, int batch, string placement)
        {
            const string device = "cpu:0";
            var one = spec.WithOnePlacement(device) with { Batch = batch, MicroBatches = 1 };
            var graph = GraphBuilder.Build(one, Placement.Parse(device), PlanMode.Infer, new List<PlanWarning>(), out _);
            return new Rewriter(spec, graph).Run(batch, placement);
        }

        private sealed class Rewriter : DecodingBuilder
        {
            private readonly NetworkSpec _spec;
            private readonly Dictionary<string, Shape> _shapes = new Dictionary<string, Shape>();
            private readonly Dictionary<string, PositionAxes> _time = new Dictionary<string, PositionAxes>();
            private readonly Dictionary<string, string> _cached = new Dictionary<string, string>();
            private readonly List<OpDecl> _statements = new List<OpDecl>();
            private readonly List<TensorDecl> _caches = new List<TensorDecl>();
            private readonly HashSet<string> _weights;
            private int _context = -1;

            public Rewriter(NetworkSpec spec, LogicalGraph graph)
            {
                _spec = spec;
                foreach (var t in graph.Tensors) _shapes[t.Name] = t.Shape;
                _weights = new HashSet<string>(spec.Weights.Where(w => w.Kind == DeclKind.Weight).Select(w => w.Name));
            }

            public DecodingNetwork Run(int batch, string placement)
            {
                var inputs = new List<TensorDecl>();
                foreach (var x in _spec.Inputs)
                {
                    if (x.Dims.Count == 0 || (_context >= 0 && x.Dims[0] != _context))
                        throw Refuse(x.Name, $"every input must hold sequences of the same length as its first axis after the batch, but {x.Name} is [{string.Join(", ", x.Dims)}]");
                    _context = x.Dims[0];
                    _time[x.Name] = new PositionAxes(1, 1, -1);
                    inputs.Add(x with { Dims = new EquatableArray<int>(new[] { 1 }.Concat(x.Dims.Skip(1)).ToArray()), Placement = null });
                }
                inputs.Add(new TensorDecl(Position, DeclKind.Ids, EquatableArray.Of(1), null));
                foreach (var s in _spec.Forward) Rewrite(s);
                var output = TimeOf(_spec.ForwardOutput);
                if (output.Axis < 0 || output.Key >= 0)
                    throw Refuse(_spec.ForwardOutput, "Forward's value must have one row per position to decode it one position at a time");
                var step = _spec.WithOnePlacement(placement) with
                {
                    Name = _spec.Name + "Decoder",
                    Batch = batch,
                    MicroBatches = 1,
                    Weights = new EquatableArray<TensorDecl>(_spec.Weights.Select(w => w with { Placement = null }).Concat(_caches).ToArray()),
                    Inputs = new EquatableArray<TensorDecl>(inputs.ToArray()),
                    Forward = new EquatableArray<OpDecl>(_statements.Select(o => o with { Placement = null }).ToArray()),
                };
                return new DecodingNetwork(step, _context, _caches, output.Axis);
            }

            private void Rewrite(OpDecl s)
            {
                if (!OpRegistry.TryGetUserOp(s.Op, out var kind)) throw Refuse(s.Output, $"'{s.Op}' is not an op");
                var def = OpRegistry.Get(kind);
                var times = s.Inputs.Select(TimeOf).ToArray();
                if (def.IsIdentityWhenInferring || times.All(t => t.None))
                {
                    if (def.IsIdentityWhenInferring) _shapes[s.Output] = _shapes[s.Inputs[0]];
                    Emit(s, times.Length > 0 && def.IsIdentityWhenInferring ? times[0] : PositionAxes.Constant);
                    return;
                }
                def.Decode(this, s, times);
            }

            public override int Context => _context;

            public override string Position => IncrementalDecoding.Position;

            public override Shape ShapeOf(string value) => _shapes[value];

            public override void Emit(OpDecl s, PositionAxes time)
            {
                _time[s.Output] = time;
                _statements.Add(s);
            }

            /// <summary>A weight whose first axis is the position (a position embedding): its row at each sequence's
            /// position, [batch, 1, …], which broadcasts as the whole weight did.</summary>
            public override string ByPosition(OpDecl s, string weight, int weightAxis, int axis, int inner, int rank)
            {
                if (!_weights.Contains(weight) || weightAxis != 0 || axis != 1 || inner != 1 || Rank(weight) != rank - 1)
                    throw Refuse(s.Output, $"{weight} varies along the positions; only a weight whose first axis is the position (a position embedding, added to [batch, positions, …] values) can be read one position at a time");
                string rows = "decode.at." + weight;
                if (!_time.ContainsKey(rows))
                {
                    _statements.Add(new OpDecl(rows, "Embedding", EquatableArray.Of(Position, weight)));
                    _time[rows] = new PositionAxes(1, 1, -1);
                }
                return rows;
            }

            public override string Cached(OpDecl s, string value, int axis)
            {
                if (_cached.TryGetValue(value, out var all)) return all;
                var time = TimeOf(value);
                var shape = _shapes[value];
                if (time.Axis != axis || time.Inner != 1 || shape[axis] != _context || axis == 0)
                    throw Refuse(s.Output, $"{value} would be cached along axis {axis}, which must hold the positions alone");
                string cache = "decode.cache." + value;
                _caches.Add(new TensorDecl(cache, DeclKind.Buffer, new EquatableArray<int>(shape.ToArray()), null));
                all = "decode.all." + value;
                _statements.Add(new OpDecl(all, "CacheAppend", EquatableArray.Of(cache, value, Position)) { Args = EquatableArray.Of((double)axis) });
                _time[all] = new PositionAxes(-1, 0, axis);
                _shapes[all] = shape;
                return _cached[value] = all;
            }

            public override (int Axis, int Inner) Land(OpDecl s, Shape from, int axis, int inner, Shape to)
            {
                long stride = inner * Stride(from, axis);
                for (int k = 0; k < to.Rank; k++)
                {
                    long size = Stride(to, k);
                    if (stride % size == 0 && stride >= size && stride * _context <= size * to[k]) return (k, (int)(stride / size));
                }
                throw Refuse(s.Output, "it splits the positions over several axes");
            }

            private static long Stride(Shape shape, int axis)
            {
                long stride = 1;
                for (int k = axis + 1; k < shape.Rank; k++) stride *= shape[k];
                return stride;
            }

            private PositionAxes TimeOf(string value) => _time.TryGetValue(value, out var t) ? t : PositionAxes.Constant;

            public override PlanException Refuse(string subject, string why)
                => new PlanException(PlanErrorKind.BadDeclaration, subject, $"{_spec.Name} cannot be decoded one position at a time: {subject}: {why}.");
        }
    }
}
