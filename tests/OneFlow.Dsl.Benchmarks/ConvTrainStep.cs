using System.Linq;
using BenchmarkDotNet.Attributes;
using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Benchmarks
{
    /// <summary>A basic residual block at 32 channels: conv3×3-BN-ReLU-conv3×3-BN, plus the input, then ReLU.</summary>
    [Module]
    public partial class Block32
    {
        [Weight(32, 32, 3, 3)] Tensor c1;
        [Weight(32, Fill = 1)] Tensor g1;
        [Weight(32)] Tensor b1;
        [Buffer(32)] Tensor m1;
        [Buffer(32, Fill = 1)] Tensor v1;
        [Weight(32, 32, 3, 3)] Tensor c2;
        [Weight(32, Fill = 1)] Tensor g2;
        [Weight(32)] Tensor b2;
        [Buffer(32)] Tensor m2;
        [Buffer(32, Fill = 1)] Tensor v2;

        public Tensor Forward(Tensor x)
        {
            var h = Relu(BatchNorm2d(Conv2d(x, c1, padding: 1), g1, b1, m1, v1));
            return Relu(BatchNorm2d(Conv2d(h, c2, padding: 1), g2, b2, m2, v2) + x);
        }
    }

    /// <summary>A basic residual block at 64 channels.</summary>
    [Module]
    public partial class Block64
    {
        [Weight(64, 64, 3, 3)] Tensor c1;
        [Weight(64, Fill = 1)] Tensor g1;
        [Weight(64)] Tensor b1;
        [Buffer(64)] Tensor m1;
        [Buffer(64, Fill = 1)] Tensor v1;
        [Weight(64, 64, 3, 3)] Tensor c2;
        [Weight(64, Fill = 1)] Tensor g2;
        [Weight(64)] Tensor b2;
        [Buffer(64)] Tensor m2;
        [Buffer(64, Fill = 1)] Tensor v2;

        public Tensor Forward(Tensor x)
        {
            var h = Relu(BatchNorm2d(Conv2d(x, c1, padding: 1), g1, b1, m1, v1));
            return Relu(BatchNorm2d(Conv2d(h, c2, padding: 1), g2, b2, m2, v2) + x);
        }
    }

    /// <summary>The downsampling block, 32 → 64 channels at half the resolution: a stride-2 conv3×3 on the main
    /// path and a stride-2 1×1 projection with batch norm on the shortcut.</summary>
    [Module]
    public partial class Down
    {
        [Weight(64, 32, 3, 3)] Tensor c1;
        [Weight(64, Fill = 1)] Tensor g1;
        [Weight(64)] Tensor b1;
        [Buffer(64)] Tensor m1;
        [Buffer(64, Fill = 1)] Tensor v1;
        [Weight(64, 64, 3, 3)] Tensor c2;
        [Weight(64, Fill = 1)] Tensor g2;
        [Weight(64)] Tensor b2;
        [Buffer(64)] Tensor m2;
        [Buffer(64, Fill = 1)] Tensor v2;
        [Weight(64, 32, 1, 1)] Tensor proj;
        [Weight(64, Fill = 1)] Tensor gp;
        [Weight(64)] Tensor bp;
        [Buffer(64)] Tensor mp;
        [Buffer(64, Fill = 1)] Tensor vp;

        public Tensor Forward(Tensor x)
        {
            var h = Relu(BatchNorm2d(Conv2d(x, c1, stride: 2, padding: 1), g1, b1, m1, v1));
            var shortcut = BatchNorm2d(Conv2d(x, proj, stride: 2), gp, bp, mp, vp);
            return Relu(BatchNorm2d(Conv2d(h, c2, padding: 1), g2, b2, m2, v2) + shortcut);
        }
    }

    /// <summary>The small ResNet of the PyTorch peer (bench/torch_cnn_peer.py) on 3×32×32 images, batch 32, one CPU
    /// device: a stem conv-BN-ReLU at 32 channels, two basic blocks, a downsampling block to 64, one basic block at
    /// 64, global average pooling and a linear classifier.</summary>
    [Network(Batch = 32, Optimizer = Optimizers.SgdMomentum)]
    [Placement("cpu:0")]
    public partial class ResNet
    {
        [Weight(32, 3, 3, 3)] Tensor stem;
        [Weight(32, Fill = 1)] Tensor g;
        [Weight(32)] Tensor b;
        [Buffer(32)] Tensor m;
        [Buffer(32, Fill = 1)] Tensor v;
        [Repeat(2)] Block32[] blocks;
        Down down;
        Block64 last;
        [Weight(64, 10)] Tensor fc;
        [Weight(10)] Tensor fb;

        public Tensor Forward([Input(3, 32, 32)] Tensor x)
        {
            var h = Relu(BatchNorm2d(Conv2d(x, stem, padding: 1), g, b, m, v));
            foreach (var block in blocks) h = block.Forward(h);
            h = last.Forward(down.Forward(h));
            return MatMul(Flatten(AvgPool2d(h, 16, 16)), fc) + fb;
        }
    }

    /// <summary>One SGD-momentum training step (forward, backward, update, running statistics) of <see cref="ResNet"/>.
    /// The MemoryDiagnoser column must read 0 B: the unfolded columns of every convolution are in the arena.</summary>
    [MemoryDiagnoser]
    public class ConvTrainStep
    {
        /// <summary>With the elementwise chains fused (as planned), or every op as written.</summary>
        [Params("fused", "unfused")]
        public string Plan { get; set; } = "";

        private ResNet.Training _trainer = null!;
        private Tensor _x = null!, _y = null!;

        [GlobalSetup]
        public void Setup()
        {
            _trainer = new ResNet(seed: 1).Trainer(new Sgd(0.01f, momentum: 0.9f), ResNet.Spec with { Fuse = Plan == "fused" });
            var random = new System.Random(1);
            _x = Tensor.From(Enumerable.Range(0, 32 * 3 * 32 * 32).Select(_ => (float)random.NextDouble()).ToArray(), 32, 3, 32, 32);
            _y = Tensor.From(Enumerable.Range(0, 32).Select(_ => random.Next(10)).ToArray(), 32);
            // The JIT promotes the kernels' loops over the first few dozen steps, and a step takes ~90 ms, so
            // BenchmarkDotNet's own warm-up (a handful of steps) would time, and count the allocations of, the
            // promotion itself.
            for (int i = 0; i < 40; i++) _trainer.Step(_x, _y);
        }

        [Benchmark]
        public float Step() => _trainer.Step(_x, _y);

        [GlobalCleanup]
        public void Cleanup() => _trainer.Dispose();
    }
}
