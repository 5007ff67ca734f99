using System.Diagnostics;
using System.Globalization;

/// <summary>--bench: how long from the process's start to the first answer, and the latency of one-image batches.</summary>
static class Bench
{
    public static int Run(IDigitModel model)
    {
        Console.WriteLine(LoadAverage.Line());
        var image = new float[MnistData.Pixels];
        var random = new Random(1);
        for (int i = 0; i < image.Length; i++) image[i] = MnistData.Standardise(random.Next(256));
        model.Predict(image, 1);
        double startup = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        // Warm for a second, so that a JIT build runs its optimised code (tiered compilation) as a server soon would.
        for (var warm = Stopwatch.StartNew(); warm.ElapsedMilliseconds < 1000;) model.Predict(image, 1);
        var times = new double[2000];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Predict(image, 1);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start-up to first answer: {startup:F0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-1 latency: median {times[times.Length / 2]:F1} us, p99 {times[times.Length * 99 / 100]:F1} us over {times.Length}"));
        return 0;
    }
}
