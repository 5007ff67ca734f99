using System.Diagnostics;
using System.Globalization;
using OneFlow.Dsl;

namespace Gpt;

/// <summary>--bench: the training step's time, after warm-up, as the median of timed runs; on a GPU, after checking that
/// the device's steps give the CPU's losses.</summary>
public static class Bench
{
    public static int Run(CharGpt.Training trainer, CharText text, int seed, OneFlow.Dsl.Planner.Model.NetworkSpec spec)
    {
        Console.WriteLine(LoadAverage.Line());
        if (spec.Placement.Contains("cuda", StringComparison.Ordinal) && !Agrees(spec, text, seed)) return 1;
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

    /// <summary>The largest relative difference of losses the device may show against the CPU (float sums in another order).</summary>
    private const double Tolerance = 1e-4;

    /// <summary>The figures mean nothing if the device computes something else: 5 steps of <paramref name="spec"/> must give
    /// the losses of the same spec on CPUs, or the run fails saying so.</summary>
    private static bool Agrees(OneFlow.Dsl.Planner.Model.NetworkSpec spec, CharText text, int seed)
    {
        static AdamW Optimizer() => new AdamW(1e-3f, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f) { ClipGradientNorm = 1f };
        using var cpu = new CharGpt(seed: 2).Trainer(Optimizer(), spec.OnDeviceType("cpu"));
        using var device = new CharGpt(seed: 2).Trainer(Optimizer(), spec);
        var batches = new Batches(text, seed);
        double worst = 0;
        for (int i = 0; i < 5; i++)
        {
            var (x, y) = batches.Next(text.Train);
            float a = cpu.Step(x, y), b = device.Step(x, y);
            worst = Math.Max(worst, Math.Abs(a - b) / Math.Max(1, Math.Abs(a)));
        }
        string what = string.Create(CultureInfo.InvariantCulture, $"losses of 5 steps on {spec.Placement} vs the same plan on CPUs: largest relative difference {worst:E1}");
        if (worst <= Tolerance) { Console.WriteLine(what); return true; }
        Console.Error.WriteLine($"{what}, over {Tolerance:E0}: the device computes something else, so no figure is printed.");
        return false;
    }
}
