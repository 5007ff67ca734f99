using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>The collective (or local op) that converts a tensor between two SBPs on one placement.</summary>
    public enum BoxingKind { None, AllGather, AllReduce, ReduceScatter, AllToAll, Slice, PartialFromBroadcast, PartialFromSplit, Unsupported }

    /// <summary>Which collective each SBP transition needs, and what it costs: the bytes sent by all devices
    /// together under ring algorithms (T logical bytes, n devices), as OneFlow's cost model counts them.</summary>
    public static class Boxing
    {
        /// <summary>Added to every boxing op, local or not: each is one more actor to schedule and, for a collective,
        /// one more synchronisation of all devices, worth about a kilobyte of bandwidth (a microsecond at 1 GB/s is
        /// the least any real interconnect or thread hand-off costs). At equal bytes, fewer boxing ops win.</summary>
        public const double FixedCost = 1024;

        /// <summary>How many floating-point operations cost as much time as sending one byte: the exchange rate
        /// that lets replicated compute (every device doing the whole op) be weighed against communication. A CPU
        /// core does about ten flops in the time a byte crosses memory between devices.</summary>
        public const double FlopsPerByte = 10;

        public static BoxingKind KindOf(Sbp from, Sbp to)
        {
            if (from == to) return BoxingKind.None;
            if (from.IsSplit && to.IsSplit) return BoxingKind.AllToAll;
            if (from.IsSplit && to.IsBroadcast) return BoxingKind.AllGather;
            if (from.IsPartial && to.IsBroadcast) return BoxingKind.AllReduce;
            if (from.IsPartial && to.IsSplit) return BoxingKind.ReduceScatter;
            if (from.IsBroadcast && to.IsSplit) return BoxingKind.Slice;
            if (from.IsBroadcast && to.IsPartial) return BoxingKind.PartialFromBroadcast;
            if (from.IsSplit && to.IsPartial) return BoxingKind.PartialFromSplit;
            return BoxingKind.Unsupported;
        }

        /// <summary>Local conversions: each device computes its part from its own data, nothing crosses devices.
        /// (B→P keeps the value on the first device and zeros elsewhere; S→P puts each slice in a zero tensor.)</summary>
        public static bool IsLocal(BoxingKind kind)
            => kind == BoxingKind.Slice || kind == BoxingKind.PartialFromBroadcast || kind == BoxingKind.PartialFromSplit;

        public static double Cost(Sbp from, Sbp to, long bytes, int devices)
        {
            if (devices == 1) return 0;
            var kind = KindOf(from, to);
            return kind == BoxingKind.None ? 0
                : kind == BoxingKind.Unsupported ? double.PositiveInfinity
                : TotalBytes(kind, bytes, devices) + FixedCost;
        }

        /// <summary>Bytes all devices send together for one transfer of a tensor of <paramref name="bytes"/>.</summary>
        public static double TotalBytes(BoxingKind kind, long bytes, int devices)
        {
            double t = bytes, n = devices;
            switch (kind)
            {
                case BoxingKind.AllToAll: return t * (n - 1) / n;
                case BoxingKind.AllGather: return t * (n - 1);
                case BoxingKind.ReduceScatter: return t * (n - 1);
                case BoxingKind.AllReduce: return 2 * t * (n - 1);
                default: return 0;
            }
        }
    }
}
