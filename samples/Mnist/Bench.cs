using System.Diagnostics;
using OneFlow.Dsl;
using OneFlow.Dsl.Cuda;
using static OneFlow.Dsl.Ops;

/// <summary>The network the benchmarks time (and PyTorch's peer script builds): 784-512-512-10, batch 64.</summary>
[Network(Batch = 64)]
[Placement("cpu:0")]
public partial class BenchMlp
{
    [Weight(784, 512)] Tensor w1;
    [Weight(512)] Tensor b1;
    [Weight(512, 512)] Tensor w2;
    [Weight(512)] Tensor b2;
    [Weight(512, 10)] Tensor w3;
    [Weight(10)] Tensor b3;

    public Tensor Forward([Input(784)] Tensor x)
    {
        var h = Relu(MatMul(x, w1) + b1);
        var g = Relu(MatMul(h, w2) + b2);
        return MatMul(g, w3) + b3;
    }
}

/// <summary><c>--bench</c>: one line per figure, each the median of timed rounds after a warm-up.</summary>
static class Bench
{
    public static int Run(string device)
    {
        Console.WriteLine(LoadAverage.Line());
        string placement = device + ":0";
        using var trainer = new BenchMlp(seed: 1).Trainer(new Sgd(lr: 0.01f), placement);
        if (device != "cpu" && !Agrees(placement, graph: false)) return 1;
        Console.WriteLine($"mlp 784-512-512-10 batch 64 sgd step on {placement}: {StepTime(trainer) * 1e6:F0} us");
        if (trainer.Session is not GpuPlanSession gpu) return 0;
        Console.WriteLine($"kernel launches per step: {gpu.LaunchesPerStep}; host synchronizations per step: {gpu.HostSynchronizationsPerStep}");
        try
        {
            if (!Agrees(placement, graph: true)) return 1;
            gpu.UseGraph = true;
            Console.WriteLine($"mlp 784-512-512-10 batch 64 sgd step on {placement}, one cuda graph per step: {StepTime(trainer) * 1e6:F0} us ({gpu.LaunchesPerStep} launch)");
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"cuda graph replay failed: {e.Message}");
        }
        double sgemm = GpuBench.Sgemm(4096);
        Console.WriteLine($"sgemm 4096^3: {sgemm * 1e3:F2} ms ({2.0 * 4096 * 4096 * 4096 / sgemm / 1e12:F1} TFLOP/s)");
        const int n = 64 << 20;
        double add = GpuBench.Add(n);
        Console.WriteLine($"add 64M floats: {add * 1e3:F3} ms ({3.0 * 4 * n / add / 1e12:F2} TB/s)");
        return 0;
    }

    private static readonly Tensor X = Tensor.From(Enumerable.Range(0, 64 * 784).Select(i => (float)Math.Sin(i)).ToArray(), 64, 784);
    private static readonly Tensor Y = Tensor.From(Enumerable.Range(0, 64).Select(i => i % 10).ToArray(), 64);

    /// <summary>Seconds per step: the median of 7 rounds of 50 steps, after 20 warm-up steps.</summary>
    private static double StepTime(BenchMlp.Training trainer)
    {
        for (int i = 0; i < 20; i++) trainer.Step(X, Y);
        var rounds = new double[7];
        for (int r = 0; r < rounds.Length; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 50; i++) trainer.Step(X, Y);
            rounds[r] = clock.Elapsed.TotalSeconds / 50;
        }
        Array.Sort(rounds);
        return rounds[3];
    }

    /// <summary>The largest relative difference of losses the device may show against cpu:0 (float sums in another order).</summary>
    private const double Tolerance = 1e-4;

    /// <summary>The figures mean nothing if the device computes something else: its steps must give cpu:0's losses, or the
    /// run fails saying so. A graph is recorded after three steps without it, as the peer warms up before capturing.</summary>
    private static bool Agrees(string placement, bool graph)
    {
        using var cpu = new BenchMlp(seed: 2).Trainer(new Sgd(lr: 0.01f), "cpu:0");
        using var other = new BenchMlp(seed: 2).Trainer(new Sgd(lr: 0.01f), placement);
        double worst = 0;
        for (int i = 0; i < 8; i++)
        {
            if (i == 3 && other.Session is GpuPlanSession gpu) gpu.UseGraph = graph;
            float a = cpu.Step(X, Y), b = other.Step(X, Y);
            worst = Math.Max(worst, Math.Abs(a - b) / Math.Max(1, Math.Abs(a)));
        }
        string what = $"losses of 8 steps on {placement}{(graph ? " (a cuda graph from step 4)" : "")} vs cpu:0: largest relative difference {worst:E1}";
        if (worst <= Tolerance) { Console.WriteLine(what); return true; }
        Console.Error.WriteLine($"{what}, over {Tolerance:E0}: the device computes something else, so no figure is printed.");
        return false;
    }
}
