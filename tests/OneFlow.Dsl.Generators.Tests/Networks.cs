namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Network sources the tests compile.</summary>
    internal static class Networks
    {
        /// <summary>The example of DESIGN.md, verbatim.</summary>
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
    }
}
