using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>An op's constants: one record per op kind that has any (<c>SliceAttributes(Axis, Start, Length)</c>),
    /// declared in the op's own file, which alone reads and writes them. The plan text carries them by name
    /// (<c>axis=1 start=2 length=35</c>), so a reader never depends on their order.</summary>
    public abstract record OpAttributes
    {
        /// <summary>Writes every attribute as name=value.</summary>
        internal abstract void Write(AttributeWriter w);
    }

    /// <summary>An op as the logical graph and the plan carry it, as far as kernels and shape rules read it: its
    /// constants. Read them through the op definition's typed accessor (<c>SliceOp.Attributes(op)</c>).</summary>
    internal interface IOpAttributes
    {
        OpAttributes? Attributes { get; }
    }

    internal static class OpAttributesExtensions
    {
        /// <summary>The op's attributes as the record its kind declares.</summary>
        public static T Get<T>(this IOpAttributes op) where T : OpAttributes
            => op.Attributes as T ?? throw new InvalidOperationException(
                $"The op carries {op.Attributes?.GetType().Name ?? "no attributes"} where its kind needs {typeof(T).Name}.");
    }

    /// <summary>The name=value fields of one op's attributes, in the plan text's spelling (invariant numbers, round trip).</summary>
    internal sealed class AttributeWriter
    {
        private readonly List<string> _fields = new List<string>();

        public AttributeWriter Int(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));
        public AttributeWriter Double(string name, double value) => Add(name, value.ToString("R", CultureInfo.InvariantCulture));
        public AttributeWriter Bool(string name, bool value) => Add(name, value ? "1" : "0");
        public AttributeWriter Ints(string name, IEnumerable<long> values) => Add(name, string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        public AttributeWriter Ints(string name, IEnumerable<int> values) => Ints(name, values.Select(v => (long)v));
        public AttributeWriter Doubles(string name, IEnumerable<double> values) => Add(name, string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        public AttributeWriter Sbp(string name, NdSbp value) => Add(name, value.ToString());

        private AttributeWriter Add(string name, string value)
        {
            _fields.Add(name + "=" + value);
            return this;
        }

        public override string ToString() => string.Join(" ", _fields);

        public static string Of(OpAttributes? attributes)
        {
            var w = new AttributeWriter();
            attributes?.Write(w);
            return w.ToString();
        }
    }

    /// <summary>Reads the name=value fields an <see cref="AttributeWriter"/> wrote; a missing or malformed field is
    /// refused with the op kind and the field named.</summary>
    internal sealed class AttributeReader
    {
        private readonly string _kind;
        private readonly Dictionary<string, string> _fields;

        public AttributeReader(string kind, IEnumerable<string> fields)
        {
            _kind = kind;
            _fields = new Dictionary<string, string>();
            foreach (var f in fields)
            {
                int eq = f.IndexOf('=');
                if (eq <= 0) throw new FormatException($"{kind}: the attribute '{f}' is not written name=value.");
                _fields[f.Substring(0, eq)] = f.Substring(eq + 1);
            }
        }

        public bool IsEmpty => _fields.Count == 0;

        public int Int(string name) => (int)Long(name);
        public long Long(string name) => Parse(name, s => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        public double Double(string name) => Parse(name, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
        public bool Bool(string name) => Parse(name, s => s == "1" ? true : s == "0" ? false : throw new FormatException());
        public long[] Longs(string name) => Parse(name, s => s.Length == 0 ? new long[0] : s.Split(',').Select(v => long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray());
        public int[] Ints(string name) => Longs(name).Select(v => (int)v).ToArray();
        public double[] Doubles(string name) => Parse(name, s => s.Length == 0 ? new double[0] : s.Split(',').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray());
        public NdSbp Sbp(string name) => Parse(name, NdSbp.Parse);

        private T Parse<T>(string name, Func<string, T> parse)
        {
            if (!_fields.TryGetValue(name, out var text))
                throw new FormatException($"{_kind}: the plan text lacks its attribute '{name}'.");
            try { return parse(text); }
            catch (Exception e) when (e is FormatException || e is OverflowException)
            {
                throw new FormatException($"{_kind}: its attribute {name}={text} cannot be read.");
            }
        }
    }
}
