using System.Linq;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>The MNIST sample's MLP (the README's), as it places itself on four devices.</summary>
    [Network(Batch = 64)]
    [Placement("cpu:0-3")]
    public partial class MnistMlp
    {
        [Weight(784, 512), Sbp("S(1)")] Tensor w1;
        [Weight(512), Sbp("S(0)")] Tensor b1;
        [Weight(512, 10), Sbp("S(0)")] Tensor w2;
        [Weight(10)] Tensor b2;

        public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x) => MatMul(Relu(MatMul(x, w1) + b1), w2) + b2;
    }

    /// <summary>The latency of one row through <see cref="MnistMlp"/> with Infer (a plan for one row, made once), on
    /// the network's four devices and on one. Peer: bench/torch_infer_peer.py.</summary>
    [MemoryDiagnoser]
    public class MlpInferOne
    {
        [Params("cpu:0-3", "cpu:0")]
        public string Placement { get; set; } = "";

        private MnistMlp _model = null!;
        private Inference _inference = null!;
        private Tensor _x = null!;

        [GlobalSetup]
        public void Setup()
        {
            _model = new MnistMlp(seed: 1);
            _inference = new Inference(MnistMlp.InferPlan, _model.NamedParameters, MnistMlp.Spec.WithPlacement(Placement));
            var random = new System.Random(1);
            _x = Tensor.From(Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble()).ToArray(), 1, 784);
        }

        [Benchmark]
        public Tensor InferOneRow() => _inference.Run(_x);

        [GlobalCleanup]
        public void Cleanup() => _inference.Dispose();
    }
}
