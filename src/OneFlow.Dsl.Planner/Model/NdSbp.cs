using System;
using System.Collections.Generic;
using System.Linq;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>An SBP per mesh axis: on a 2×2 mesh, (S(0), B) splits the rows across the first mesh axis and
    /// replicates across the second. On a 1-D placement it is a single <see cref="Sbp"/>, and converts from one.</summary>
    public readonly struct NdSbp : IEquatable<NdSbp>
    {
        private readonly Sbp[]? _parts;

        public NdSbp(params Sbp[] parts) => _parts = (Sbp[])parts.Clone();

        public int Rank => _parts?.Length ?? 1;
        public Sbp this[int meshAxis] => _parts == null ? Sbp.B : _parts[meshAxis];
        public IEnumerable<Sbp> Parts => _parts ?? new[] { Sbp.B };

        /// <summary>This SBP on a mesh lifted to <paramref name="meshRank"/> axes (see <see cref="Placement.Lifted"/>):
        /// the new outer axes, of size 1, broadcast.</summary>
        public NdSbp Lifted(int meshRank) => meshRank <= Rank ? this : new NdSbp(Enumerable.Repeat(Sbp.B, meshRank - Rank).Concat(Parts).ToArray());

        public static NdSbp Broadcast(int meshRank) => new NdSbp(Enumerable.Repeat(Sbp.B, meshRank).ToArray());

        public static implicit operator NdSbp(Sbp sbp) => new NdSbp(sbp);

        public bool AnyPartial => Parts.Any(p => p.IsPartial);
        public bool AllBroadcast => Parts.All(p => p.IsBroadcast);

        public NdSbp With(int meshAxis, Sbp sbp)
        {
            var parts = Parts.ToArray();
            parts[meshAxis] = sbp;
            return new NdSbp(parts);
        }

        /// <summary>"S(0)" or, per mesh axis, "S(0),B" (spaces allowed).</summary>
        public static bool TryParse(string? text, out NdSbp sbp)
        {
            sbp = Sbp.B;
            if (text == null) return false;
            var parts = new List<Sbp>();
            foreach (string piece in text.Split(','))
            {
                if (!Sbp.TryParse(piece, out var part)) return false;
                parts.Add(part);
            }
            sbp = new NdSbp(parts.ToArray());
            return true;
        }

        public static NdSbp Parse(string text) => TryParse(text, out var sbp)
            ? sbp
            : throw new FormatException($"'{text}' is not an SBP: write S(axis), B or P, one per mesh axis separated by commas.");

        // Loops rather than LINQ: SBP selection compares and hashes these millions of times.
        public bool Equals(NdSbp other)
        {
            if (Rank != other.Rank) return false;
            for (int k = 0; k < Rank; k++) if (this[k] != other[k]) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is NdSbp other && Equals(other);

        public override int GetHashCode()
        {
            int h = 17;
            for (int k = 0; k < Rank; k++) h = h * 31 + this[k].GetHashCode();
            return h;
        }
        public static bool operator ==(NdSbp a, NdSbp b) => a.Equals(b);
        public static bool operator !=(NdSbp a, NdSbp b) => !a.Equals(b);

        public override string ToString() => string.Join(",", Parts.Select(p => p.ToString()));
    }
}
