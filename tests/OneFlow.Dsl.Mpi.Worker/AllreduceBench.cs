using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Mpi;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Runtime.Boxing;

/// <summary>The gradient all-reduce as the runtime runs it (the P→B boxing op of a plan spread over the job's
/// processes) against a bare MPI_Allreduce of the same floats, each the median of 7 rounds, the processes lined up
/// before every round.</summary>
static unsafe class AllreduceBench
{
    public static int Run(int floats)
    {
        using var world = MpiWorld.Start();
        var placement = Placement.Parse($"{world.Size}/cpu:0-{world.Size - 1}");
        // S(0) → P → B → S(0): the all-reduce in the middle, its result read on (not the plan's output, which persists).
        var plan = NetworkPlanner.Reshard(new Shape(floats), (Sbp.S(0), placement), (Sbp.P, placement), (Sbp.B, placement), (Sbp.S(0), placement));
        var layout = new PlanLayout(plan);
        var op = plan.Ops.Single(o => o.Collective == Collective.AllReduce);
        // Registers live where the memory plan puts them: the all-reduce's result shares its partial sums' bytes.
        var buffers = plan.Registers.GroupBy(r => (r.Device, r.Offset)).ToDictionary(g => g.Key,
            g => (IntPtr)NativeMemory.AllocZeroed((nuint)Math.Max(1, g.Max(r => r.LocalShape.Elements)) * sizeof(float)));
        using var boxing = new CrossRankBoxing(layout, op, world, (r, _) => buffers[(r.Device, r.Offset)]);
        var bare = (float*)NativeMemory.AllocZeroed((nuint)floats * sizeof(float));
        int repeats = floats >= 1 << 22 ? 3 : 20;
        var (ours, theirs) = Medians(world, repeats, () => boxing.Run(0), () => world.AllreduceSum(new Span<float>(bare, floats)));
        var actor = plan.ActorsOf(op.Id).First();
        bool inPlace = plan.Registers[actor.Inputs[0]].Offset == plan.Registers[actor.Output].Offset;
        if (world.Rank == 0)
            Console.WriteLine($"allreduce {floats} floats on {world.Size} ranks: bare MPI_Allreduce {theirs * 1e3:F3} ms, through the runtime {ours * 1e3:F3} ms ({theirs / ours * 100:F0}% of bare){(inPlace ? ", in place" : "")}");
        NativeMemory.Free(bare);
        foreach (var b in buffers.Values) NativeMemory.Free((void*)b);
        return 0;
    }

    /// <summary>Seconds per call of each, rounds interleaved so that both see the same machine.</summary>
    private static (double, double) Medians(MpiWorld world, int repeats, Action first, Action second)
    {
        first();
        second();
        var a = new double[7];
        var b = new double[7];
        Span<float> token = stackalloc float[1];
        for (int r = 0; r < a.Length; r++)
        {
            a[r] = Time(world, repeats, first, token);
            b[r] = Time(world, repeats, second, token);
        }
        Array.Sort(a);
        Array.Sort(b);
        return (a[3], b[3]);
    }

    private static double Time(MpiWorld world, int repeats, Action run, Span<float> token)
    {
        world.AllreduceSum(token);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) run();
        return clock.Elapsed.TotalSeconds / repeats;
    }
}
