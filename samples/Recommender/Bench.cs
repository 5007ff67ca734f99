using OneFlow.Dsl;
using System.Diagnostics;
using System.Globalization;

/// <summary><c>--bench</c>: the median training step after a warm-up, on batches drawn like the sample's, and the planned
/// memory of each device. Four device threads share this machine's cores, so single steps vary by 2×: the median is
/// taken over many.</summary>
static class Bench
{
    private const int WarmUp = 20, Timed = 150;

    public static int Run(ClickModel.Training trainer, int[] vocabularies, int seed)
    {
        Console.WriteLine(LoadAverage.Line());
        var logs = ClickLogs.Generate(Sizes.Batch * (WarmUp + Timed), vocabularies, seed);
        var times = new List<double>();
        for (int s = 0; s < WarmUp + Timed; s++)
        {
            var batch = logs.Slice(s * Sizes.Batch, Sizes.Batch);
            var clock = Stopwatch.StartNew();
            trainer.Step(Tensor.From(batch.Categories, Sizes.Batch, Sizes.Features), Tensor.From(batch.Dense, Sizes.Batch, Sizes.Dense),
                Tensor.From(batch.Clicks, Sizes.Batch, 1));
            if (s >= WarmUp) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        long rows = vocabularies.Sum(v => (long)v);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wide & deep step (batch {Sizes.Batch}, {rows:N0} rows, Adam + SparseAdam) on {trainer.Plan.Placement}: median {times[times.Count / 2]:F2} ms, min {times[0]:F2} ms over {times.Count} steps"));
        for (int d = 0; d < trainer.Plan.Devices; d++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"device {d}: {trainer.Plan.ArenaBytes[d]:N0} bytes planned"));
        return 0;
    }
}
