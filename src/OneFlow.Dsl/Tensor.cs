using System;
using System.Collections.Generic;
using System.Linq;

namespace OneFlow.Dsl
{
    /// <summary>A dense row-major tensor of float (or, for class labels and embedding ids, int) values. Eager ops on tensors compute
    /// at once and record what they did, so that <see cref="Backward"/> can differentiate them; in graph mode the
    /// same code is compiled into a plan and tensors only carry data in and out.</summary>
    public sealed partial class Tensor
    {
        private int[] _shape;
        private float[]? _data;
        private readonly int[]? _integers;
        private readonly bool _mask;

        private Tensor(int[] shape, float[]? data, int[]? integers, bool mask = false)
        {
            _shape = shape;
            _data = data;
            _integers = integers;
            _mask = mask;
        }

        public IReadOnlyList<int> Shape => _shape;
        public int Rank => _shape.Length;
        public long Length => _data?.Length ?? _integers!.Length;
        /// <summary>True for a tensor of integers: class labels or embedding ids, or a mask's 0 and 1.</summary>
        public bool IsInteger => _integers != null;

        /// <summary>True for a boolean mask (a comparison's, or made with <see cref="From(bool[], int[])"/>), whose
        /// elements read 0 and 1.</summary>
        public bool IsMask => _mask;

        /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
        public static Tensor From(float[] data, params int[] shape) => new Tensor(Checked(data.Length, shape), data, null);

        /// <summary>Wraps integers (not copied): the class labels of a batch, or the ids fed to an Embedding.</summary>
        public static Tensor From(int[] labels, params int[] shape) => new Tensor(Checked(labels.Length, shape), null, labels);

        /// <summary>A boolean mask (copied), for <see cref="Ops.Where"/> and <see cref="Ops.MaskedFill"/>: a padding mask.</summary>
        public static Tensor From(bool[] mask, params int[] shape) => new Tensor(Checked(mask.Length, shape), null, Array.ConvertAll(mask, m => m ? 1 : 0), mask: true);

        /// <summary>A mask of the 0s and 1s <paramref name="values"/> holds (not copied).</summary>
        internal static Tensor Mask(int[] values, int[] shape) => new Tensor(Checked(values.Length, shape), null, values, mask: true);

        public static Tensor Zeros(params int[] shape) => new Tensor(Checked(-1, shape), new float[Elements(shape)], null);

        public static Tensor Ones(params int[] shape) => Full(1f, shape);

        /// <summary>Every element <paramref name="value"/>.</summary>
        public static Tensor Full(float value, params int[] shape)
        {
            var t = Zeros(shape);
            t._data.AsSpan().Fill(value);
            return t;
        }

        /// <summary>Standard normal values, the same for the same <paramref name="seed"/> (<c>torch.randn</c>).</summary>
        public static Tensor Randn(int seed, params int[] shape)
        {
            var t = Zeros(shape);
            var random = new Random(seed);
            var data = t._data!;
            for (int i = 0; i < data.Length; i++)
                data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            return t;
        }

        /// <summary>One element, by its index along every axis: <c>t[1, 2]</c>. Setting it changes the tensor in place
        /// (a weight's devices are brought up to date before the next step).</summary>
        [System.Runtime.CompilerServices.IndexerName("Element")]
        public float this[params int[] index]
        {
            get => IsInteger ? _integers![Offset(index)] : Host[Offset(index)];
            set
            {
                if (IsInteger) throw new InvalidOperationException($"Tensor{ShapeText} holds integers; make a new one with Tensor.From(int[], ...).");
                Host[Offset(index)] = value;
                HostChanged();
            }
        }

        /// <summary>Replaces every value with <paramref name="values"/> (row-major, as many as the tensor holds): sets a
        /// weight without a file.</summary>
        public void CopyFrom(ReadOnlySpan<float> values)
        {
            if (IsInteger) throw new InvalidOperationException($"Tensor{ShapeText} holds integers; make a new one with Tensor.From(int[], ...).");
            if (values.Length != Length) throw new ArgumentException($"Tensor{ShapeText} holds {Length} values but {values.Length} were given.", nameof(values));
            values.CopyTo(Host);
            HostChanged();
        }

        private int Offset(int[] index)
        {
            if (index.Length != Rank) throw new IndexOutOfRangeException($"Tensor{ShapeText} has {Rank} axes but {index.Length} indices were given.");
            long offset = 0;
            for (int i = 0; i < Rank; i++)
            {
                if ((uint)index[i] >= (uint)_shape[i]) throw new IndexOutOfRangeException($"Index {index[i]} is outside axis {i} of Tensor{ShapeText}.");
                offset = offset * _shape[i] + index[i];
            }
            return (int)offset;
        }

        /// <summary>A copy of the values.</summary>
        public float[] ToArray() => IsInteger ? _integers!.Select(l => (float)l).ToArray() : (float[])Host.Clone();

        /// <summary>The single value of a scalar (or one-element) tensor.</summary>
        public float Item() => Length == 1 ? Host[0] : throw new InvalidOperationException($"Item() needs one element, but the tensor is {ShapeText}.");

        internal int[] IntegerData => _integers ?? throw new ArgumentException($"Expected integers (labels or ids) but got a float tensor {ShapeText}.");

        internal string ShapeText => Describe(_shape);

        internal string ToShapeString() => ShapeText;

        internal static string Describe(IReadOnlyList<int> shape) => "[" + string.Join(",", shape) + "]";

        internal static Tensor Wrap(float[] data, int[] shape) => new Tensor(shape, data, null);

        private static int[] Checked(int length, int[] shape)
        {
            if (shape.Any(d => d <= 0))
                throw new ArgumentException($"Every dimension must be positive, but the shape is {Describe(shape)}.");
            if (length >= 0 && Elements(shape) != length)
                throw new ArgumentException($"The shape {Describe(shape)} holds {Elements(shape)} elements but the array has {length}.");
            return (int[])shape.Clone();
        }

        private static long Elements(int[] shape) => shape.Aggregate(1L, (a, d) => a * d);

        public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
        public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
        public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
        public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);
        public static Tensor operator -(Tensor x) => Ops.Neg(x);

        // Arithmetic with a constant, on either side: the ops it lowers to are the planner's (see ScalarArithmetic),
        // so that a plan computes `1f - x` exactly as this does.
        public static Tensor operator +(Tensor x, float c) => WithConstant('+', false, x, c);
        public static Tensor operator +(float c, Tensor x) => WithConstant('+', true, x, c);
        public static Tensor operator -(Tensor x, float c) => WithConstant('-', false, x, c);
        public static Tensor operator -(float c, Tensor x) => WithConstant('-', true, x, c);
        public static Tensor operator *(Tensor x, float c) => WithConstant('*', false, x, c);
        public static Tensor operator *(float c, Tensor x) => WithConstant('*', true, x, c);
        public static Tensor operator /(Tensor x, float c) => WithConstant('/', false, x, c);
        public static Tensor operator /(float c, Tensor x) => WithConstant('/', true, x, c);

        // Comparisons give boolean masks (Ops.Gt, Lt, Ge, Le). == and != keep their meaning of reference equality.
        public static Tensor operator >(Tensor a, Tensor b) => Ops.Gt(a, b);
        public static Tensor operator <(Tensor a, Tensor b) => Ops.Lt(a, b);
        public static Tensor operator >=(Tensor a, Tensor b) => Ops.Ge(a, b);
        public static Tensor operator <=(Tensor a, Tensor b) => Ops.Le(a, b);
        public static Tensor operator >(Tensor x, float c) => Ops.Gt(x, c);
        public static Tensor operator <(Tensor x, float c) => Ops.Lt(x, c);
        public static Tensor operator >=(Tensor x, float c) => Ops.Ge(x, c);
        public static Tensor operator <=(Tensor x, float c) => Ops.Le(x, c);
        public static Tensor operator >(float c, Tensor x) => Ops.Lt(x, c);
        public static Tensor operator <(float c, Tensor x) => Ops.Gt(x, c);
        public static Tensor operator >=(float c, Tensor x) => Ops.Le(x, c);
        public static Tensor operator <=(float c, Tensor x) => Ops.Ge(x, c);

        private static Tensor WithConstant(char op, bool constantFirst, Tensor x, float c)
        {
            foreach (var (kind, args) in Planner.Ops.ScalarArithmetic.Steps(op, constantFirst, c)) x = Eager.Run(kind, args, x);
            return x;
        }

    }
}
