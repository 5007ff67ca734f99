using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime;
using OneFlow.Dsl;
using OneFlow.Dsl.Tests;

// Usage: OneFlow.Dsl.AllocationProbe STEPS
// For each network, warms a trainer up, then prints "<network>: " and the bytes each of STEPS consecutive steps
// allocated, counted process-wide (device threads and kernel helpers included).
int steps = args.Length > 0 ? int.Parse(args[0]) : 100;

static float[] Floats(int seed, int count)
{
    var random = new Random(seed);
    return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}

static int[] Ids(int seed, int count, int below)
{
    var random = new Random(seed);
    return Enumerable.Range(0, count).Select(_ => random.Next(below)).ToArray();
}

void Measure(string name, Action step)
{
    // Warm: past tiered compilation's promotions (after 30 calls, compiled in the background), in which the runtime
    // allocates; done when no method has been compiled for half a second.
    var quiet = Stopwatch.StartNew();
    long compiled = JitInfo.GetCompiledMethodCount();
    for (int i = 0; i < 50 || quiet.ElapsedMilliseconds < 500; i++)
    {
        step();
        long now = JitInfo.GetCompiledMethodCount();
        if (now == compiled) continue;
        compiled = now;
        quiet.Restart();
    }
    var allocated = new long[steps];
    for (int i = 0; i < steps; i++)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        step();
        allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - before;
    }
    Console.WriteLine($"{name}: {string.Join(" ", allocated)}");
}

{
    using var trainer = new Mlp(seed: 1).Trainer(new Sgd(0.1f));
    var (x, y) = (Tensor.From(Floats(1, 64 * 784), 64, 784), Tensor.From(Ids(2, 64, 10), 64));
    Measure("mlp on cpu:0-3", () => trainer.Step(x, y));
}
foreach (string placement in new[] { "cpu:0-3", "cpu:0" })
{
    using var trainer = new ConvNet(seed: 1).Trainer(new Sgd(0.05f, momentum: 0.9f), placement);
    var (x, y) = (Tensor.From(Floats(3, 64 * 28 * 28), 64, 1, 28, 28), Tensor.From(Ids(4, 64, 10), 64));
    Measure($"cnn sample on {placement}", () => trainer.Step(x, y));
}
foreach (string placement in new[] { "cpu:0-3", "cpu:0" })
{
    using var vision = new VisionNet(seed: 1).Trainer(new Sgd(0.05f, momentum: 0.9f), placement);
    using var wide = new WideNet(seed: 1).Trainer(new Sgd(0.05f, momentum: 0.9f), placement);
    var (x, y) = (Tensor.From(Floats(5, 8 * 3 * 8 * 8), 8, 3, 8, 8), Tensor.From(Ids(6, 8, 10), 8));
    var (xw, yw) = (Tensor.From(Floats(7, 4 * 8 * 16 * 16), 4, 8, 16, 16), Tensor.From(Ids(8, 4, 10), 4));
    Measure($"vision networks on {placement}", () => { vision.Step(x, y); wide.Step(xw, yw); });
}
{
    using var trainer = new Gpt.CharGpt(seed: 1).Trainer(new AdamW(1e-3f, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f) { ClipGradientNorm = 1f });
    int tokens = Gpt.Shape.Batch * Gpt.Shape.Context;
    var text = Tensor.From(Ids(9, tokens, Gpt.Shape.Vocabulary), Gpt.Shape.Batch, Gpt.Shape.Context);
    var next = Tensor.From(Ids(10, tokens, Gpt.Shape.Vocabulary), Gpt.Shape.Batch, Gpt.Shape.Context);
    Measure("pipelined gpt with adamw and clipping", () => trainer.Step(text, next));
}
