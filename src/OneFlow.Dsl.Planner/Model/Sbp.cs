using System;
using System.Globalization;

namespace OneFlow.Dsl.Planner.Model
{
    public enum SbpKind { Broadcast, Split, Partial }

    /// <summary>How a logical tensor is laid out over the devices of its placement:
    /// split along an axis, broadcast (replicated), or a partial sum.</summary>
    public readonly struct Sbp : IEquatable<Sbp>
    {
        public SbpKind Kind { get; }
        /// <summary>The split axis; -1 unless <see cref="Kind"/> is Split.</summary>
        public int Axis { get; }

        private Sbp(SbpKind kind, int axis) { Kind = kind; Axis = axis; }

        public static Sbp B => new Sbp(SbpKind.Broadcast, -1);
        public static Sbp P => new Sbp(SbpKind.Partial, -1);
        public static Sbp S(int axis) => axis >= 0
            ? new Sbp(SbpKind.Split, axis)
            : throw new ArgumentOutOfRangeException(nameof(axis), "A split axis is 0 or more.");

        public bool IsSplit => Kind == SbpKind.Split;
        public bool IsBroadcast => Kind == SbpKind.Broadcast;
        public bool IsPartial => Kind == SbpKind.Partial;

        /// <summary>Parses "S(i)", "B" or "P" (spaces allowed); anything else is rejected.</summary>
        public static bool TryParse(string? text, out Sbp sbp)
        {
            sbp = B;
            if (text == null) return false;
            string t = text.Replace(" ", "");
            if (t == "B") return true;
            if (t == "P") { sbp = P; return true; }
            if (t.Length >= 4 && t.StartsWith("S(", StringComparison.Ordinal) && t.EndsWith(")", StringComparison.Ordinal)
                && int.TryParse(t.Substring(2, t.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out int axis))
            {
                sbp = S(axis);
                return true;
            }
            return false;
        }

        public static Sbp Parse(string text) => TryParse(text, out var sbp)
            ? sbp
            : throw new FormatException($"'{text}' is not an SBP: write S(axis) for a split, B for broadcast or P for a partial sum.");

        public bool Equals(Sbp other) => Kind == other.Kind && Axis == other.Axis;
        public override bool Equals(object? obj) => obj is Sbp other && Equals(other);
        public override int GetHashCode() => ((int)Kind * 397) ^ Axis;
        public static bool operator ==(Sbp a, Sbp b) => a.Equals(b);
        public static bool operator !=(Sbp a, Sbp b) => !a.Equals(b);

        public override string ToString() => Kind switch
        {
            SbpKind.Split => "S(" + Axis.ToString(CultureInfo.InvariantCulture) + ")",
            SbpKind.Partial => "P",
            _ => "B",
        };
    }
}
