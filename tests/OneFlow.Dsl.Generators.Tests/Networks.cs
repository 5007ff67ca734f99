namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Network sources the tests compile.</summary>
    internal static class Networks
    {
        /// <summary>The README's example, verbatim.</summary>
        public const string Mlp = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            [Network(Batch = 64)]
            [Placement("cpu:0-3")]
            public partial class Mlp
            {
                [Weight(784, 512), Sbp("S(1)")] Tensor w1;
                [Weight(512),      Sbp("S(0)")] Tensor b1;
                [Weight(512, 10),  Sbp("S(0)")] Tensor w2;
                [Weight(10)]                    Tensor b2;

                public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
                {
                    var h = Relu(MatMul(x, w1) + b1);
                    return MatMul(h, w2) + b2;
                }
            }
            """;

        /// <summary>A block declared once as a module and repeated in two pipeline stages, in a namespace; the block
        /// in a file of its own.</summary>
        public const string Stack = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            namespace Models
            {
                [Network(Batch = 8)]
                [Placement("cpu:0-1")]
                public partial class Stack
                {
                    [Repeat(4), Stages("cpu:0-1", "cpu:2-3")] Layer[] layers;
                    [Weight(16, 10)] Tensor head;

                    public Tensor Forward([Input(16)] Tensor x)
                    {
                        foreach (var layer in layers) x = layer.Forward(x);
                        return MatMul(x, head);
                    }
                }
            }
            """;

        public const string Layer = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            namespace Models
            {
                [Module]
                public partial class Layer
                {
                    [Weight(16, Fill = 1)] Tensor gain;
                    [Weight(16, 16)] Tensor w;

                    public Tensor Forward(Tensor x)
                    {
                        var h = LayerNorm(x) * gain;
                        return x + Relu(MatMul(h, w));
                    }
                }
            }
            """;

        /// <summary>Modules three deep with private fields: a network holding a [Repeat] array of modules that hold a
        /// module holding one module and a [Repeat] array of the innermost, which has weights and buffers.</summary>
        public const string Nested = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            [Module]
            public partial class Inner
            {
                [Weight(4, 4)] Tensor w;
                [Weight(4, Fill = 1)] Tensor gain;
                [Weight(4)] Tensor shift;
                [Buffer(4)] Tensor mean;
                [Buffer(4, Fill = 1)] Tensor variance;

                public Tensor Forward(Tensor x) => Relu(BatchNorm2d(MatMul(x, w), gain, shift, mean, variance));
            }

            [Module]
            public partial class Middle
            {
                Inner first;
                [Repeat(2)] Inner[] pair;
                [Weight(4)] Tensor bias;

                public Tensor Forward(Tensor x)
                {
                    x = first.Forward(x);
                    foreach (var inner in pair) x = inner.Forward(x);
                    return x + bias;
                }
            }

            [Module]
            public partial class Outer
            {
                Middle middle;
                [Weight(4, 4)] Tensor mix;

                public Tensor Forward(Tensor x) => x + MatMul(middle.Forward(x), mix);
            }

            [Network(Batch = 6)]
            [Placement("cpu:0-1")]
            public partial class Nested
            {
                [Repeat(2)] Outer[] outers;
                [Weight(4, 3)] Tensor head;

                public Tensor Forward([Input(4)] Tensor x)
                {
                    foreach (var outer in outers) x = outer.Forward(x);
                    return MatMul(x, head);
                }
            }
            """;

        /// <summary>Data parallel on two devices, in a namespace, with Sub, Mul, an expression body and its own loss.</summary>
        public const string Gated = """
            using OneFlow.Dsl;

            namespace Samples.Nets
            {
                [Network(Batch = 8)]
                [Placement("cpu:0-1")]
                internal partial class Gated
                {
                    [Weight(16, 32)] Tensor w;
                    [Weight(32)] Tensor gate;
                    [Weight(32)] Tensor shift;
                    [Weight(32, 4)] Tensor head;

                    public Tensor Forward([Input(16)] Tensor x)
                        => Ops.MatMul(Ops.Relu(Ops.MatMul(x, w) * gate - shift), head);

                    public Tensor Loss(Tensor output, Tensor labels) => Ops.SoftmaxCrossEntropy(output, labels);
                }
            }
            """;
    
        /// <summary>Tensor arithmetic with constants on either side, division, unary minus, and ops with named and
        /// default constant arguments.</summary>
        public const string Arithmetic = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            [Network(Batch = 8)]
            [Placement("cpu:0-1")]
            public partial class Arithmetic
            {
                [Weight(6, 10)] Tensor w;
                [Weight(10)] Tensor d;

                public Tensor Forward([Input(6)] Tensor x)
                {
                    var h = MatMul(x, w) / 4f;
                    var g = 1f - h;
                    var r = 2f / (g * g + 1f);
                    var q = -r / d;
                    var m = Mean(Reshape(q, -1, 2, 5), axis: 1);
                    return Sum(Reshape(m, -1, 5, 1), axis: -1) + Sum(Reshape(m * 3, -1, 5, 1));
                }
            }
            """;
    
        /// <summary>Comparisons written as operators, with a number on either side, feeding Where and MaskedFill.</summary>
        public const string Comparisons = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            [Network(Batch = 8)]
            [Placement("cpu:0-1")]
            public partial class Comparisons
            {
                [Weight(6, 10)] Tensor w;

                public Tensor Forward([Input(6)] Tensor x)
                {
                    var h = MatMul(x, w);
                    var g = Where(h > 0.5f, h, -h);
                    var f = MaskedFill(g, 1f <= h, -1e9);
                    return Where(h >= g, f, g) + Where(Ne(h, 0), h, g) + MaskedFill(h, h < g, 0);
                }
            }
            """;

        /// <summary>Parts of splits taken by name and by index, stacked and concatenated back.</summary>
        public const string Parts = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            [Network(Batch = 8)]
            [Placement("cpu:0")]
            public partial class Parts
            {
                [Weight(6, 12)] Tensor w;

                public Tensor Forward([Input(6)] Tensor x)
                {
                    var h = MatMul(x, w);
                    var (q, k, v) = Chunk(h, 3, -1);
                    var halves = Split(h, 6, axis: 1);
                    var s = Stack(new[] { q, k, v }, 1);
                    return Concat(new[] { halves[1], Sum(s, axis: 1), q }, 1);
                }
            }
            """;

        /// <summary>Losses other than cross-entropy: a regression from two inputs against float targets, its loss
        /// written out and with PyTorch's names.</summary>
        public const string Losses = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            [Network(Batch = 16, Optimizer = Optimizers.AdamW, ClipsGradients = true)]
            [Placement("cpu:0-1")]
            public partial class Losses
            {
                [Weight(8, 16)] Tensor w1;
                [Weight(4, 16)] Tensor w2;
                [Weight(16, 3)] Tensor head;

                public Tensor Forward([Input(8)] Tensor x, [Input(4)] Tensor z) => MatMul(Tanh(MatMul(x, w1) + MatMul(z, w2)), head);

                public Tensor Loss(Tensor y, [Input(3)] Tensor target)
                {
                    var d = y - target;
                    return Mean(Mean(d * d)) * 0.5f + MseLoss(y, target) + L1Loss(y, target) * 0.1f + BceWithLogitsLoss(y, Sigmoid(target)) + Sum(Sum(w1 * w1)) * 1e-4f;
                }
            }
            """;
    }
}
