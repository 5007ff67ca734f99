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

        /// <summary>Where a value's positions lie: <see cref="Axis"/> holds the current position (within it, every
        /// <see cref="Inner"/> elements: a merged axis of rows × positions has Inner 1), <see cref="Key"/> every cached
        /// position (attention scores over keys); −1 where none.</summary>
        private readonly struct Time
        {
            public Time(int axis, int inner, int key) { Axis = axis; Inner = inner; Key = key; }
            public int Axis { get; }
            public int Inner { get; }
            public int Key { get; }
            public bool None => Axis < 0 && Key < 0;
            public static readonly Time Constant = new Time(-1, 0, -1);
        }

        private sealed class Rewriter
        {
            private readonly NetworkSpec _spec;
            private readonly Dictionary<string, Shape> _shapes = new Dictionary<string, Shape>();
            private readonly Dictionary<string, Time> _time = new Dictionary<string, Time>();
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
                    _time[x.Name] = new Time(1, 1, -1);
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
                    Emit(s, times.Length > 0 && def.IsIdentityWhenInferring ? times[0] : Time.Constant);
                    return;
                }
                switch (kind)
                {
                    case OpKind.Add: case OpKind.Sub: case OpKind.Mul: case OpKind.Div: Broadcast(s, times); return;
                    case OpKind.MatMul: MatMul(s, times[0], times[1]); return;
                    case OpKind.Reshape: Reshape(s, times[0]); return;
                    case OpKind.Transpose: Emit(s, Moved(times[0], Rank(s.Inputs[0]), a => a < Rank(s.Inputs[0]) - 2 ? a : 2 * Rank(s.Inputs[0]) - 3 - a)); return;
                    case OpKind.Permute: Permute(s, times[0]); return;
                    case OpKind.Slice: Along(s, times[0], (int)s.Args[0], "slices"); Emit(s, times[0]); return;
                    case OpKind.Concat: Concat(s, times); return;
                    case OpKind.Embedding:
                        if (!times[1].None) throw Refuse(s.Output, "its table depends on the positions");
                        Emit(s, times[0]);
                        return;
                    case OpKind.CausalSoftmax: CausalSoftmax(s, times[0]); return;
                    case OpKind.Softmax: case OpKind.LogSoftmax: case OpKind.LayerNorm:
                        Along(s, times[0], Rank(s.Inputs[0]) - 1, "normalises over");
                        Emit(s, times[0]);
                        return;
                    case OpKind.Sum: case OpKind.Mean: case OpKind.MaxLast: Reduce(s, times[0]); return;
                }
                if (def is ElementwiseOp && times.Length == 1) { Emit(s, times[0]); return; }
                throw Refuse(s.Output, $"{s.Op} has no rule for decoding one position at a time");
            }

            private void Emit(OpDecl s, Time time)
            {
                _time[s.Output] = time;
                _statements.Add(s);
            }

            private void Broadcast(OpDecl s, Time[] times)
            {
                int rank = Rank(s.Output);
                int axis = -1, inner = 0, key = -1;
                for (int i = 0; i < times.Length; i++)
                {
                    int shift = rank - Rank(s.Inputs[i]);
                    if (times[i].Axis >= 0)
                    {
                        if (axis >= 0 && axis != times[i].Axis + shift) throw Refuse(s.Output, "its operands hold their positions on different axes");
                        axis = times[i].Axis + shift;
                        inner = times[i].Inner;
                    }
                    if (times[i].Key >= 0)
                    {
                        if (key >= 0 && key != times[i].Key + shift) throw Refuse(s.Output, "its operands hold their cached positions on different axes");
                        key = times[i].Key + shift;
                    }
                }
                var inputs = s.Inputs.ToArray();
                for (int i = 0; i < times.Length; i++)
                {
                    if (!times[i].None) continue;
                    var shape = _shapes[inputs[i]];
                    int shift = rank - shape.Rank;
                    if (key >= 0 && key - shift >= 0 && shape[key - shift] != 1)
                        throw Refuse(s.Output, $"{inputs[i]} varies along the cached positions");
                    if (axis >= 0 && axis - shift >= 0 && shape[axis - shift] != 1)
                        inputs[i] = ByPosition(s, inputs[i], axis - shift, axis, inner, rank);
                }
                Emit(s with { Inputs = new EquatableArray<string>(inputs) }, new Time(axis, inner, key));
            }

            /// <summary>A weight whose first axis is the position (a position embedding): its row at each sequence's
            /// position, [batch, 1, …], which broadcasts as the whole weight did.</summary>
            private string ByPosition(OpDecl s, string weight, int weightAxis, int axis, int inner, int rank)
            {
                if (!_weights.Contains(weight) || weightAxis != 0 || axis != 1 || inner != 1 || Rank(weight) != rank - 1)
                    throw Refuse(s.Output, $"{weight} varies along the positions; only a weight whose first axis is the position (a position embedding, added to [batch, positions, …] values) can be read one position at a time");
                string rows = "decode.at." + weight;
                if (!_time.ContainsKey(rows))
                {
                    _statements.Add(new OpDecl(rows, "Embedding", EquatableArray.Of(Position, weight)));
                    _time[rows] = new Time(1, 1, -1);
                }
                return rows;
            }

            /// <summary>Products: a row axis keeps its positions; an operand whose positions the product reads whole (the
            /// keys a query meets, the values attention weighs) is read from its cache.</summary>
            private void MatMul(OpDecl s, Time a, Time b)
            {
                int ra = Rank(s.Inputs[0]), rb = Rank(s.Inputs[1]), ro = Rank(s.Output);
                string left = s.Inputs[0], right = s.Inputs[1];
                int axis = -1, inner = 0, key = -1;
                if (b.Key >= 0 || (a.Key >= 0 && a.Key != ra - 1) || a.Axis == ra - 1)
                    throw Refuse(s.Output, "it sums over positions that are not attention's keys");
                if (a.Key == ra - 1)
                {
                    if (b.Axis != rb - 2) throw Refuse(s.Output, "it weighs cached positions but its right operand does not hold positions along its rows");
                    right = Cached(s, right, rb - 2);
                }
                else if (b.Axis == rb - 1)
                {
                    right = Cached(s, right, rb - 1);
                    key = ro - 1;
                }
                else if (b.Axis == rb - 2) throw Refuse(s.Output, "it sums over positions that are not attention's keys");
                else if (b.Axis >= 0) { axis = b.Axis + ro - rb; inner = b.Inner; }
                if (a.Axis >= 0)
                {
                    int at = a.Axis == ra - 2 ? ro - 2 : a.Axis + ro - ra;
                    if (axis >= 0 && axis != at) throw Refuse(s.Output, "its operands hold their positions on different axes");
                    axis = at;
                    inner = a.Inner;
                }
                Emit(s with { Inputs = EquatableArray.Of(left, right) }, new Time(axis, inner, key));
            }

            /// <summary>The operand with every position so far: appended to its cache, read whole.</summary>
            private string Cached(OpDecl s, string value, int axis)
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
                _time[all] = new Time(-1, 0, axis);
                _shapes[all] = shape;
                return _cached[value] = all;
            }

            private void CausalSoftmax(OpDecl s, Time x)
            {
                int rank = Rank(s.Inputs[0]);
                if (x.Axis != rank - 2 || x.Key != rank - 1)
                    throw Refuse(s.Output, "its scores must hold the queries' positions along their rows and the keys' along their columns");
                Emit(new OpDecl(s.Output, "OffsetCausalSoftmax", EquatableArray.Of(s.Inputs[0], Position)) { Placement = s.Placement }, x);
            }

            /// <summary>Reshapes keep the position axis whole: it lands where its elements go, and a written length
            /// that counted every position counts one.</summary>
            private void Reshape(OpDecl s, Time x)
            {
                Shape from = _shapes[s.Inputs[0]], to = _shapes[s.Output];
                var written = s.Args.ToArray();
                int axis = -1, inner = 0, key = -1;
                if (x.Axis >= 0)
                {
                    (axis, inner) = Land(s, from, x.Axis, x.Inner, to);
                    if (written[axis] != -1) written[axis] /= _context;
                }
                if (x.Key >= 0)
                {
                    int keyInner;
                    (key, keyInner) = Land(s, from, x.Key, 1, to);
                    if (keyInner != 1 || to[key] != _context) throw Refuse(s.Output, "it merges the cached positions with another axis");
                }
                Emit(s with { Args = new EquatableArray<double>(written) }, new Time(axis, inner, key));
            }

            /// <summary>The axis of <paramref name="to"/> that the positions on axis <paramref name="axis"/> of
            /// <paramref name="from"/> (every <paramref name="inner"/> elements within it) fall in, and their step within it.</summary>
            private (int Axis, int Inner) Land(OpDecl s, Shape from, int axis, int inner, Shape to)
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

            private void Permute(OpDecl s, Time x)
            {
                int rank = Rank(s.Inputs[0]);
                var order = s.Args.Select(a => ((int)a + rank) % rank).ToList();
                Emit(s, Moved(x, rank, a => order.IndexOf(a)));
            }

            private static Time Moved(Time x, int rank, System.Func<int, int> move)
                => new Time(x.Axis < 0 ? -1 : move(x.Axis), x.Inner, x.Key < 0 ? -1 : move(x.Key));

            private void Concat(OpDecl s, Time[] times)
            {
                if (times.Any(t => t.Axis != times[0].Axis || t.Key != times[0].Key || t.Inner != times[0].Inner))
                    throw Refuse(s.Output, "its operands hold their positions differently");
                int rank = Rank(s.Inputs[0]);
                Along(s, times[0], s.Args.Count == 1 ? ((int)s.Args[0] + rank) % rank : rank - 1, "joins along");
                Emit(s, times[0]);
            }

            private void Reduce(OpDecl s, Time x)
            {
                int rank = Rank(s.Inputs[0]);
                int axis = s.Args.Count == 0 ? rank - 1 : ((int)s.Args[0] + rank) % rank;
                Along(s, x, axis, "reduces over");
                Emit(s, Moved(x, rank, a => a > axis ? a - 1 : a));
            }

            /// <summary>Refuses an op that works along <paramref name="axis"/> where the positions are.</summary>
            private void Along(OpDecl s, Time x, int axis, string what)
            {
                if (axis == x.Axis || axis == x.Key) throw Refuse(s.Output, $"it {what} the positions, so each position would depend on others");
            }

            private Time TimeOf(string value) => _time.TryGetValue(value, out var t) ? t : Time.Constant;

            private int Rank(string value) => _shapes[value].Rank;

            private PlanException Refuse(string subject, string why)
                => new PlanException(PlanErrorKind.BadDeclaration, subject, $"{_spec.Name} cannot be decoded one position at a time: {subject}: {why}.");
        }
    }
}
