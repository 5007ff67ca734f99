using System.Diagnostics;
using OneFlow.Dsl;
using OneFlow.Dsl.Cuda;

/// <summary><c>--bench</c>: the training step of <see cref="ConvNet"/> at its batch of 64 on one device (the PyTorch
/// peer, bench/torch_cnn_peer.py, trains the same network), the median of timed rounds after a warm-up.</summary>
static class Bench
{
    private static readonly Tensor X = Tensor.From(Enumerable.Range(0, ConvNet.Batch * 784).Select(i => (float)Math.Sin(i)).ToArray(), ConvNet.Batch, 1, 28, 28);
    private static readonly Tensor Y = Tensor.From(Enumerable.Range(0, ConvNet.Batch).Select(i => i % 10).ToArray(), ConvNet.Batch);

    /// <summary>On one device, and on CPUs also on the network's own placement (four devices sharing the cores).</summary>
    public static int Run(string device)
    {
        Console.WriteLine(LoadAverage.Line());
        string placement = device + ":0";
        if (device != "cpu") Agreement(placement);
        foreach (string at in device == "cpu" ? new[] { placement, ConvNet.Spec.Placement } : new[] { placement })
        {
            using var trainer = new ConvNet(seed: 1).Trainer(new Sgd(0.01f, momentum: 0.9f), at);
            double step = StepTime(trainer);
            Console.WriteLine($"cnn batch {ConvNet.Batch} sgd-momentum step on {at}: {step * 1e6:F0} us ({ConvNet.Batch / step:F0} samples/s)");
            if (trainer.Session is GpuPlanSession gpu)
                Console.WriteLine($"kernel launches per step: {gpu.LaunchesPerStep}; host synchronizations per step: {gpu.HostSynchronizationsPerStep}");
        }
        return 0;
    }

    /// <summary>Seconds per step: the median of 7 rounds of 20 steps, after 10 warm-up steps.</summary>
    private static double StepTime(ConvNet.Training trainer)
    {
        for (int i = 0; i < 10; i++) trainer.Step(X, Y);
        var rounds = new double[7];
        for (int r = 0; r < rounds.Length; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 20; i++) trainer.Step(X, Y);
            rounds[r] = clock.Elapsed.TotalSeconds / 20;
        }
        Array.Sort(rounds);
        return rounds[3];
    }

    /// <summary>The figure means nothing if the device computes something else: its first steps must give cpu:0's losses.</summary>
    private static void Agreement(string placement)
    {
        using var cpu = new ConvNet(seed: 2).Trainer(new Sgd(0.01f, momentum: 0.9f), "cpu:0");
        using var other = new ConvNet(seed: 2).Trainer(new Sgd(0.01f, momentum: 0.9f), placement);
        double worst = 0;
        for (int i = 0; i < 5; i++)
        {
            float a = cpu.Step(X, Y), b = other.Step(X, Y);
            worst = Math.Max(worst, Math.Abs(a - b) / Math.Max(1, Math.Abs(a)));
        }
        Console.WriteLine($"losses of 5 steps on {placement} vs cpu:0: largest relative difference {worst:E1}");
    }
}
