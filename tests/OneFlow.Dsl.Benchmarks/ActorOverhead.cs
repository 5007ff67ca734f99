using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>Eight layers of width 8 at batch 4: kernels of a few hundred flops, so a step's time is the runtime's
    /// cost per act. The PyTorch eager twin is bench/torch_tiny_peer.py.</summary>
    [Network(Batch = 4)]
    [Placement("cpu:0")]
    public partial class TinyStack
    {
        [Weight(8, 8)] Tensor a0; [Weight(8)] Tensor b0;
        [Weight(8, 8)] Tensor a1; [Weight(8)] Tensor b1;
        [Weight(8, 8)] Tensor a2; [Weight(8)] Tensor b2;
        [Weight(8, 8)] Tensor a3; [Weight(8)] Tensor b3;
        [Weight(8, 8)] Tensor a4; [Weight(8)] Tensor b4;
        [Weight(8, 8)] Tensor a5; [Weight(8)] Tensor b5;
        [Weight(8, 8)] Tensor a6; [Weight(8)] Tensor b6;
        [Weight(8, 8)] Tensor a7; [Weight(8)] Tensor b7;

        public Tensor Forward([Input(8)] Tensor x)
        {
            var h = Relu(MatMul(x, a0) + b0);
            h = Relu(MatMul(h, a1) + b1);
            h = Relu(MatMul(h, a2) + b2);
            h = Relu(MatMul(h, a3) + b3);
            h = Relu(MatMul(h, a4) + b4);
            h = Relu(MatMul(h, a5) + b5);
            h = Relu(MatMul(h, a6) + b6);
            return Relu(MatMul(h, a7) + b7);
        }
    }

    /// <summary>One SGD step of <see cref="TinyStack"/> on 1, 2 and 4 devices (data parallel). The setup prints the
    /// acts per step and per device: the step time over the acts per device is the time per act.</summary>
    [MemoryDiagnoser]
    public class ActorOverhead
    {
        private TinyStack.Training _trainer = null!;
        private Tensor _x = null!, _y = null!;

        [Params(1, 2, 4)]
        public int Devices { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _trainer = new TinyStack(seed: 1).Trainer(new Sgd(0.01f), Devices == 1 ? "cpu:0" : $"cpu:0-{Devices - 1}");
            var random = new Random(1);
            _x = Tensor.From(Enumerable.Range(0, 4 * 8).Select(_ => (float)random.NextDouble()).ToArray(), 4, 8);
            _y = Tensor.From(Enumerable.Range(0, 4).Select(_ => random.Next(8)).ToArray(), 4);
            int acts = _trainer.Plan.Actors.Count;
            Console.WriteLine($"// ActorOverhead: {Devices} device(s), {acts} acts per step, {acts / (double)Devices:F1} per device");
        }

        [Benchmark]
        public float Step() => _trainer.Step(_x, _y);

        [GlobalCleanup]
        public void Cleanup() => _trainer.Dispose();
    }
}
