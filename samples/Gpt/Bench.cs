using System.Diagnostics;
using System.Globalization;

namespace Gpt;

/// <summary>--bench: the training step's time, after warm-up, as the median of timed runs.</summary>
public static class Bench
{
    public static int Run(CharGpt.Training trainer, CharText text, int seed)
    {
        Console.WriteLine(LoadAverage.Line());
        var batches = new Batches(text, seed);
        for (int i = 0; i < 5; i++) { var (x, y) = batches.Next(text.Train); trainer.Step(x, y); }
        var times = new List<double>();
        for (int i = 0; i < 30; i++)
        {
            var (x, y) = batches.Next(text.Train);
            var clock = Stopwatch.StartNew();
            trainer.Step(x, y);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gpt step (4 layers, width 128, context 64, batch 12, AdamW): median {times[times.Count / 2]:F1} ms, min {times[0]:F1} ms over {times.Count} steps"));
        return 0;
    }
}
