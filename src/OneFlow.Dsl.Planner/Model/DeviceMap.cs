using System.Collections.Generic;
using System.Linq;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>The devices of a plan: every device of every placement in it, numbered in id order. A placement
    /// counts its own devices from 0; this map says which plan device a placement's i-th device is, so that two
    /// placements sharing a device share its thread and its arena.</summary>
    public sealed class DeviceMap
    {
        private readonly Dictionary<int, int> _index;

        public string DeviceType { get; }
        /// <summary>The device id (the number in "cpu:3") of each plan device.</summary>
        public IReadOnlyList<int> Ids { get; }
        public int Count => Ids.Count;

        /// <summary>How many processes the plan's devices are spread over (the largest "N/" of its placements).</summary>
        public int Ranks { get; }

        public DeviceMap(IEnumerable<Placement> placements)
        {
            var list = placements.ToList();
            DeviceType = list.Count == 0 ? "cpu" : list[0].DeviceType;
            Ids = list.SelectMany(p => p.DeviceIds).Distinct().OrderBy(id => id).ToArray();
            _index = Ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            Ranks = System.Math.Min(Ids.Count, list.Count == 0 ? 1 : list.Max(p => p.Ranks));
        }

        /// <summary>The process that runs plan device <paramref name="device"/>: the plan's devices in equal contiguous
        /// blocks, the first blocks one longer where they do not divide.</summary>
        public int RankOf(int device)
        {
            for (int r = Ranks - 1; r >= 0; r--) if (device >= Partition.Start(Count, Ranks, r)) return r;
            return 0;
        }

        /// <summary>The plan device that is <paramref name="placement"/>'s device number <paramref name="index"/>.</summary>
        public int Of(Placement placement, int index) => _index[placement.DeviceIds[index]];

        /// <summary>Where plan device <paramref name="device"/> sits in <paramref name="placement"/>, or -1.</summary>
        public int IndexIn(Placement placement, int device)
        {
            int id = Ids[device];
            for (int i = 0; i < placement.Count; i++) if (placement.DeviceIds[i] == id) return i;
            return -1;
        }

        /// <summary>The plan devices of <paramref name="placement"/>, in its own order.</summary>
        public IEnumerable<int> DevicesOf(Placement placement) => Enumerable.Range(0, placement.Count).Select(i => Of(placement, i));
    }
}
