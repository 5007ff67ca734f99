using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>The devices a network lives on: a 1-D list ("cpu:0-3", "cpu:0", "cpu:0,2,5", "cuda:0-7") or a 2-D
    /// mesh ("2x2:cpu": devices 0-3, row-major, the first mesh axis outermost). A prefix "N/" spreads the devices
    /// over N processes (MPI ranks) in equal contiguous blocks by device id: "4/cpu:0-3" is four processes with one
    /// device each, "2/cpu:0-3" two processes with two devices each, "2/2x2:cpu" a mesh whose rows are processes.</summary>
    public sealed class Placement : IEquatable<Placement>
    {
        /// <summary>More devices than any one placement should name; beyond it a typo ("0-99999") is likelier.</summary>
        public const int MaxDevices = 4096;

        public string DeviceType { get; }
        public IReadOnlyList<int> DeviceIds { get; }
        public int Count => DeviceIds.Count;
        /// <summary>The size of each mesh axis; one axis for a list of devices.</summary>
        public IReadOnlyList<int> Mesh { get; }
        public int MeshRank => Mesh.Count;
        /// <summary>How many processes the devices are spread over; 1 for a placement inside one process.</summary>
        public int Ranks { get; }

        private Placement(string deviceType, int[] ids, int[] mesh, int ranks = 1) { DeviceType = deviceType; DeviceIds = ids; Mesh = mesh; Ranks = ranks; }

        /// <summary>The same device ids and mesh on devices of another type ("cuda" for "cpu").</summary>
        public Placement OnDeviceType(string deviceType) => new Placement(deviceType, DeviceIds.ToArray(), Mesh.ToArray(), Ranks);

        /// <summary>The same devices spread over <paramref name="ranks"/> processes.</summary>
        public Placement OnRanks(int ranks) => new Placement(DeviceType, DeviceIds.ToArray(), Mesh.ToArray(), ranks);

        /// <summary>A single device seen as a mesh of the given rank (every axis of size 1): the host side of a feed
        /// or a fetch.</summary>
        public static Placement OneDevice(int meshRank) => new Placement("cpu", new[] { 0 }, Enumerable.Repeat(1, meshRank).ToArray());

        /// <summary>The same devices seen as a mesh of higher rank, with outer axes of size 1: lets a conversion
        /// between a list of devices and a 2-D mesh be computed axis by axis.</summary>
        public Placement Lifted(int meshRank)
            => meshRank <= MeshRank ? this : new Placement(DeviceType, DeviceIds.ToArray(), Enumerable.Repeat(1, meshRank - MeshRank).Concat(Mesh).ToArray());

        /// <summary>The mesh coordinates of device index <paramref name="device"/>, the last axis fastest.</summary>
        public int[] Coordinates(int device)
        {
            var c = new int[MeshRank];
            for (int k = MeshRank - 1; k >= 0; k--) { c[k] = device % Mesh[k]; device /= Mesh[k]; }
            return c;
        }

        public int IndexOf(int[] coordinates)
        {
            int index = 0;
            for (int k = 0; k < MeshRank; k++) index = index * Mesh[k] + coordinates[k];
            return index;
        }

        public static bool TryParse(string? text, out Placement? placement, out string error)
        {
            placement = null;
            error = "";
            string t = (text ?? "").Replace(" ", "");
            int slash = t.IndexOf('/');
            if (slash >= 0) return TryParseRanks(text, t.Substring(0, slash), t.Substring(slash + 1), out placement, out error);
            int colon = t.IndexOf(':');
            if (colon <= 0 || colon == t.Length - 1)
            {
                error = $"'{text}' is not a placement: write a device type and device ids, e.g. \"cpu:0-3\" or \"cuda:0\".";
                return false;
            }
            string type = t.Substring(0, colon);
            if (type.Contains("x")) return TryParseMesh(text, type, t.Substring(colon + 1), out placement, out error);
            if (type != "cpu" && type != "cuda")
            {
                error = $"'{text}': unknown device type '{type}'; use cpu or cuda.";
                return false;
            }
            var ids = new List<int>();
            foreach (string part in t.Substring(colon + 1).Split(','))
            {
                if (!TryParseRange(part, ids))
                {
                    error = $"'{text}': '{part}' is not a device id or a range like 0-3.";
                    return false;
                }
            }
            if (ids.Count > MaxDevices)
            {
                error = $"'{text}' names {ids.Count} devices; a placement holds at most {MaxDevices}.";
                return false;
            }
            if (ids.Distinct().Count() != ids.Count)
            {
                error = $"'{text}' names a device twice.";
                return false;
            }
            placement = new Placement(type, ids.ToArray(), new[] { ids.Count });
            return true;
        }

        /// <summary>"N/placement": the placement's devices spread over N processes.</summary>
        private static bool TryParseRanks(string? text, string ranks, string rest, out Placement? placement, out string error)
        {
            placement = null;
            if (!IsId(ranks) || int.Parse(ranks, CultureInfo.InvariantCulture) == 0)
            {
                error = $"'{text}': write the number of processes before the slash, e.g. \"4/cpu:0-3\".";
                return false;
            }
            if (!TryParse(rest, out var inner, out error)) return false;
            int n = int.Parse(ranks, CultureInfo.InvariantCulture);
            if (n > inner!.Count)
            {
                error = $"'{text}': {n} processes need at least {n} devices, but {inner} has {inner.Count}.";
                return false;
            }
            placement = inner.OnRanks(n);
            return true;
        }

        /// <summary>"2x2:cpu": a mesh of the given axis sizes over devices 0…n−1.</summary>
        private static bool TryParseMesh(string? text, string shape, string type, out Placement? placement, out string error)
        {
            placement = null;
            error = "";
            var sizes = shape.Split('x');
            if (sizes.Length != 2 || !sizes.All(s => IsId(s) && int.Parse(s, CultureInfo.InvariantCulture) > 0))
            {
                error = $"'{text}': a mesh is written as rows x columns and a device type, e.g. \"2x2:cpu\".";
                return false;
            }
            if (type != "cpu" && type != "cuda")
            {
                error = $"'{text}': unknown device type '{type}'; use cpu or cuda.";
                return false;
            }
            var mesh = sizes.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            if ((long)mesh[0] * mesh[1] > MaxDevices)
            {
                error = $"'{text}' names {(long)mesh[0] * mesh[1]} devices; a placement holds at most {MaxDevices}.";
                return false;
            }
            placement = new Placement(type, Enumerable.Range(0, mesh[0] * mesh[1]).ToArray(), mesh);
            return true;
        }

        public static Placement Parse(string text)
            => TryParse(text, out var p, out string error) ? p! : throw new FormatException(error);

        private static bool TryParseRange(string part, List<int> ids)
        {
            string[] ends = part.Split('-');
            if (ends.Length > 2 || !ends.All(IsId)) return false;
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
            int last = int.Parse(ends[ends.Length - 1], CultureInfo.InvariantCulture);
            if (last < first || last - first >= MaxDevices) return false;
            for (int i = first; i <= last; i++) ids.Add(i);
            return true;
        }

        private static bool IsId(string s) => s.Length > 0 && s.Length < 6 && s.All(char.IsDigit);

        public bool Equals(Placement? other) => other != null && DeviceType == other.DeviceType && Ranks == other.Ranks && DeviceIds.SequenceEqual(other.DeviceIds) && Mesh.SequenceEqual(other.Mesh);
        public override bool Equals(object? obj) => Equals(obj as Placement);
        public override int GetHashCode() => DeviceType.GetHashCode() ^ Count;

        /// <summary>The canonical text: consecutive ids as a range ("cpu:0-3"), others listed ("cpu:0,2").</summary>
        public override string ToString()
            => Ranks > 1 ? Ranks.ToString(CultureInfo.InvariantCulture) + "/" + Devices() : Devices();

        private string Devices()
        {
            if (MeshRank > 1) return string.Join("x", Mesh.Select(m => m.ToString(CultureInfo.InvariantCulture))) + ":" + DeviceType;
            var parts = new List<string>();
            for (int i = 0; i < Count;)
            {
                int j = i;
                while (j + 1 < Count && DeviceIds[j + 1] == DeviceIds[j] + 1) j++;
                parts.Add(j == i ? Id(i) : Id(i) + "-" + Id(j));
                i = j + 1;
            }
            return DeviceType + ":" + string.Join(",", parts);
        }

        private string Id(int index) => DeviceIds[index].ToString(CultureInfo.InvariantCulture);
    }
}
