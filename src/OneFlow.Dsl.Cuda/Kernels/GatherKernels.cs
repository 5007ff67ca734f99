using ILGPU;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Every boxing op, feed and transfer between placements as one launch: each destination element adds
    /// up its contributions (one for a copy, one per partial sum otherwise), listed in device order as the CPU
    /// runtime adds them, from anywhere in the memory that holds every device's arena.</summary>
    internal static class GatherKernels
    {
        /// <param name="map">For contribution j of element i, at j·count + i: its index in memory, or −1 for none.</param>
        public static void Gather(Index1D i, ArrayView<float> memory, ArrayView<int> map, int count, int contributions, int destination)
        {
            float sum = 0f;
            for (int j = 0; j < contributions; j++)
            {
                int source = map[j * count + i];
                if (source >= 0) sum += memory[source];
            }
            memory[destination + i] = sum;
        }
    }
}
