using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl.Tests;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>What meeting a memory budget by recomputation costs: the GPT sample's network with 8 blocks on one
    /// device (DeepCharGpt, AdamW with clipping), its training step under its 80 MiB budget (blocks' activations
    /// recomputed in the backward pass) and without the budget. Setup prints each plan's arena.</summary>
    [MemoryDiagnoser]
    public class RecomputationStep
    {
        [Params("80 MiB budget", "no budget")]
        public string Budget { get; set; } = "";

        private DeepCharGpt.Training _trainer = null!;
        private Tensor _x = null!, _y = null!;

        [GlobalSetup]
        public void Setup()
        {
            var spec = Budget == "no budget" ? DeepCharGpt.Spec with { MemoryBudget = 0 } : DeepCharGpt.Spec;
            _trainer = new DeepCharGpt(seed: 1).Trainer(new AdamW(1e-3f, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f) { ClipGradientNorm = 1f }, spec);
            long arena = _trainer.Plan.ArenaBytes[0];
            Console.WriteLine($"// {Budget}: arena {arena:N0} bytes ({arena / (double)(1 << 20):F1} MiB), recomputing {(_trainer.Plan.Recomputed.Count == 0 ? "nothing" : string.Join(", ", _trainer.Plan.Recomputed))}");
            var random = new Random(1);
            _x = Tensor.From(Enumerable.Range(0, 12 * 64).Select(_ => random.Next(96)).ToArray(), 12, 64);
            _y = Tensor.From(Enumerable.Range(0, 12 * 64).Select(_ => random.Next(96)).ToArray(), 12, 64);
        }

        [Benchmark]
        public float Step() => _trainer.Step(_x, _y);

        [GlobalCleanup]
        public void Cleanup() => _trainer.Dispose();
    }
}
