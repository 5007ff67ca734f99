using System.Linq;
using BenchmarkDotNet.Attributes;
using Gpt;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>The GPT sample's training step (4 layers, width 128, context 64, batch 12, AdamW with clipping) as the
    /// sample plans it (two pipeline stages, tensor parallel MLPs, two micro-batches), in one micro-batch, data parallel
    /// on two devices, and on one device; the sample's layout also with every op as written (no fusion).
    /// Peer: bench/torch_gpt_peer.py.</summary>
    [MemoryDiagnoser]
    public class GptTrainStep
    {
        [Params("sample", "sample, unfused", "sample, 1 micro-batch", "cpu:0-1 data parallel", "cpu:0")]
        public string Layout { get; set; } = "";

        private CharGpt.Training _trainer = null!;
        private Tensor _x = null!, _y = null!;

        [GlobalSetup]
        public void Setup()
        {
            var spec = Layout switch
            {
                "sample" => CharGpt.Spec,
                "sample, unfused" => CharGpt.Spec with { Fuse = false },
                "sample, 1 micro-batch" => CharGpt.Spec with { MicroBatches = 1 },
                "cpu:0-1 data parallel" => CharGpt.Spec.WithOnePlacement("cpu:0-1") with { MicroBatches = 1 },
                _ => CharGpt.Spec.WithOnePlacement("cpu:0") with { MicroBatches = 1 },
            };
            _trainer = new CharGpt(seed: 1).Trainer(new AdamW(1e-3f) { ClipGradientNorm = 1f }, spec);
            var random = new System.Random(1);
            _x = Tensor.From(Enumerable.Range(0, 12 * 64).Select(_ => random.Next(96)).ToArray(), 12, 64);
            _y = Tensor.From(Enumerable.Range(0, 12 * 64).Select(_ => random.Next(96)).ToArray(), 12, 64);
        }

        [Benchmark]
        public float Step() => _trainer.Step(_x, _y);

        [GlobalCleanup]
        public void Cleanup() => _trainer.Dispose();
    }
}
