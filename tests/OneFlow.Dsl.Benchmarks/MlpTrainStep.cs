using System.Linq;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>The MLP of the PyTorch peer (bench/torch_peer.py): 784-512-512-10, batch 64, on one CPU device.</summary>
    [Network(Batch = 64)]
    [Placement("cpu:0")]
    public partial class Mlp3
    {
        [Weight(784, 512)] Tensor w1;
        [Weight(512)] Tensor b1;
        [Weight(512, 512)] Tensor w2;
        [Weight(512)] Tensor b2;
        [Weight(512, 10)] Tensor w3;
        [Weight(10)] Tensor b3;

        public Tensor Forward([Input(784)] Tensor x)
        {
            var h1 = Relu(MatMul(x, w1) + b1);
            var h2 = Relu(MatMul(h1, w2) + b2);
            return MatMul(h2, w3) + b3;
        }
    }

    /// <summary>One SGD training step (forward, backward, update) of <see cref="Mlp3"/>. The MemoryDiagnoser
    /// column must read 0 B: every buffer is in the arena the memory plan sized at build time.</summary>
    [MemoryDiagnoser]
    public class MlpTrainStep
    {
        private Mlp3.Training _trainer = null!;
        private Tensor _x = null!, _y = null!;

        [GlobalSetup]
        public void Setup()
        {
            _trainer = new Mlp3(seed: 1).Trainer(new Sgd(0.01f));
            var random = new System.Random(1);
            _x = Tensor.From(Enumerable.Range(0, 64 * 784).Select(_ => (float)random.NextDouble()).ToArray(), 64, 784);
            _y = Tensor.From(Enumerable.Range(0, 64).Select(_ => random.Next(10)).ToArray(), 64);
        }

        [Benchmark]
        public float Step() => _trainer.Step(_x, _y);

        [GlobalCleanup]
        public void Cleanup() => _trainer.Dispose();
    }
}
