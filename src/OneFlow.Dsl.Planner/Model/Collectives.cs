using System.Linq;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>The collective (or local op) that converts a tensor between two SBPs; on a mesh, one that changes
    /// a single mesh axis is named after that axis's 1-D conversion, one that changes several is hierarchical.
    /// Between two placements it is a transfer: each destination part is sent from the source parts it overlaps.</summary>
    public enum Collective { None, AllGather, AllReduce, ReduceScatter, AllToAll, Slice, PartialFromBroadcast, PartialFromSplit, Hierarchical, Transfer, Unsupported }

    /// <summary>Which collective each SBP transition needs, and what it costs: the bytes sent by all devices
    /// together under ring algorithms (T logical bytes, n devices), as OneFlow's cost model counts them. On a mesh
    /// a transition is priced axis by axis, each axis's conversion running within the groups of devices that
    /// differ only along it, on the part of the tensor such a group holds.</summary>
    internal static class Collectives
    {
        /// <summary>Added to every boxing op, local or not: each is one more actor to schedule and, for a collective,
        /// one more synchronisation of all devices, worth about a kilobyte of bandwidth (a microsecond at 1 GB/s is
        /// the least any real interconnect or thread hand-off costs). At equal bytes, fewer boxing ops win.</summary>
        public const double FixedCost = 1024;

        /// <summary>How many floating-point operations cost as much time as sending one byte: the exchange rate
        /// that lets replicated compute (every device doing the whole op) be weighed against communication. A CPU
        /// core does about ten flops in the time a byte crosses memory between devices.</summary>
        public const double FlopsPerByte = 10;

        public static Collective KindOf(Sbp from, Sbp to)
        {
            if (from == to) return Collective.None;
            if (from.IsSplit && to.IsSplit) return Collective.AllToAll;
            if (from.IsSplit && to.IsBroadcast) return Collective.AllGather;
            if (from.IsPartial && to.IsBroadcast) return Collective.AllReduce;
            if (from.IsPartial && to.IsSplit) return Collective.ReduceScatter;
            if (from.IsBroadcast && to.IsSplit) return Collective.Slice;
            if (from.IsBroadcast && to.IsPartial) return Collective.PartialFromBroadcast;
            if (from.IsSplit && to.IsPartial) return Collective.PartialFromSplit;
            return Collective.Unsupported;
        }

        public static Collective KindOf(NdSbp from, NdSbp to)
        {
            int changed = 0, axis = -1;
            for (int k = 0; k < from.Rank; k++) if (from[k] != to[k]) { changed++; axis = k; }
            return changed == 0 ? Collective.None : changed == 1 ? KindOf(from[axis], to[axis]) : Collective.Hierarchical;
        }

        /// <summary>Local conversions: each device computes its part from its own data, nothing crosses devices.
        /// (B→P keeps the value on the first device and zeros elsewhere; S→P puts each slice in a zero tensor.)</summary>
        public static bool IsLocal(Collective kind)
            => kind == Collective.Slice || kind == Collective.PartialFromBroadcast || kind == Collective.PartialFromSplit;

        public static Collective KindOf(NdSbp from, Placement source, NdSbp to, Placement destination)
            => source.Equals(destination) ? KindOf(from, to) : Collective.Transfer;

        /// <summary>What it costs to provide a tensor as <paramref name="to"/> on <paramref name="destination"/>
        /// when it lives as <paramref name="from"/> on <paramref name="source"/>.</summary>
        public static double Cost(NdSbp from, Placement source, NdSbp to, Placement destination, long bytes)
            => source.Equals(destination) ? Cost(from, to, bytes, destination) : TotalBytes(from, source, to, destination, bytes) + FixedCost;

        /// <summary>Bytes sent by a transfer between placements: every destination part arrives whole (a broadcast
        /// destination receives one copy per device), once from each partial-sum source, summed where it lands.
        /// A device in both placements still counts: the figure is what the transfer copies.</summary>
        public static double TotalBytes(NdSbp from, Placement source, NdSbp to, Placement destination, long bytes)
        {
            if (source.Equals(destination)) return TotalBytes(from, to, bytes, destination);
            int partialSources = 1;
            for (int k = 0; k < source.MeshRank; k++) if (from[k].IsPartial) partialSources *= source.Mesh[k];
            return (double)bytes * Copies(to, destination) * partialSources;
        }

        /// <summary>How many devices hold each distinct part: the product of the broadcast mesh axes' sizes.</summary>
        public static int Copies(NdSbp sbp, Placement placement)
        {
            int copies = 1;
            for (int k = 0; k < placement.MeshRank; k++) if (sbp[k].IsBroadcast) copies *= placement.Mesh[k];
            return copies;
        }

        public static double Cost(NdSbp from, NdSbp to, long bytes, Placement placement)
        {
            if (placement.Count == 1 || from == to) return 0;
            var kind = KindOf(from, to);
            return kind == Collective.Unsupported ? double.PositiveInfinity : TotalBytes(from, to, bytes, placement) + FixedCost;
        }

        /// <summary>Bytes all devices send together, axis by axis: each changed mesh axis runs its 1-D conversion in
        /// every group of devices along it, on the part of the tensor the other axes leave that group.</summary>
        public static double TotalBytes(NdSbp from, NdSbp to, long bytes, Placement placement)
        {
            double total = 0;
            for (int k = 0; k < placement.MeshRank; k++)
            {
                if (from[k] == to[k]) continue;
                var kind = KindOf(from[k], to[k]);
                if (kind == Collective.Unsupported) return double.PositiveInfinity;
                double part = bytes;
                for (int j = 0; j < placement.MeshRank; j++)
                    if (j != k && from[j].IsSplit) part /= placement.Mesh[j];
                total += placement.Count / placement.Mesh[k] * TotalBytes(kind, (long)part, placement.Mesh[k]);
            }
            return total;
        }

        /// <summary>Bytes all devices send together for one 1-D transfer of a tensor of <paramref name="bytes"/>.</summary>
        public static double TotalBytes(Collective kind, long bytes, int devices)
        {
            double t = bytes, n = devices;
            switch (kind)
            {
                case Collective.AllToAll: return t * (n - 1) / n;
                case Collective.AllGather: return t * (n - 1);
                case Collective.ReduceScatter: return t * (n - 1);
                case Collective.AllReduce: return 2 * t * (n - 1);
                default: return 0;
            }
        }
    }
}
