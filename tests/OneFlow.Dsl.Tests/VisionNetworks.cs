using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Every vision op in one network: convolutions (padded, strided, with a bias), batch norm with running
    /// statistics, max and average pooling, flattening.</summary>
    [Network(Batch = 8)]
    [Placement("cpu:0-3")]
    public partial class VisionNet
    {
        [Weight(8, 3, 3, 3)] Tensor c1;
        [Weight(8, 1, 1)] Tensor cb1;
        [Weight(8, Fill = 1)] Tensor g1;
        [Weight(8)] Tensor be1;
        [Buffer(8)] Tensor m1;
        [Buffer(8, Fill = 1)] Tensor v1;
        [Weight(16, 8, 3, 3)] Tensor c2;
        [Weight(16, Fill = 1)] Tensor g2;
        [Weight(16)] Tensor be2;
        [Buffer(16)] Tensor m2;
        [Buffer(16, Fill = 1)] Tensor v2;
        [Weight(16, 10)] Tensor fc;
        [Weight(10)] Tensor fb;

        public Tensor Forward([Input(3, 8, 8)] Tensor x)
        {
            var h = Relu(BatchNorm2d(Conv2d(x, c1, padding: 1) + cb1, g1, be1, m1, v1));
            h = MaxPool2d(h, 2, 2);
            h = Relu(BatchNorm2d(Conv2d(h, c2, stride: 2, padding: 1), g2, be2, m2, v2));
            h = AvgPool2d(h, 2, 2);
            return MatMul(Flatten(h), fc) + fb;
        }
    }

    /// <summary>Same-size convolutions with 32-channel outputs on 16-pixel rows and a residual sum: the shapes the CPU
    /// computes without unfolding.</summary>
    [Network(Batch = 4)]
    [Placement("cpu:0-3")]
    public partial class WideNet
    {
        [Weight(32, 8, 3, 3)] Tensor c1;
        [Weight(32, Fill = 1)] Tensor g;
        [Weight(32)] Tensor b;
        [Buffer(32)] Tensor m;
        [Buffer(32, Fill = 1)] Tensor v;
        [Weight(32, 32, 3, 3)] Tensor c2;
        [Weight(32, 10)] Tensor fc;

        public Tensor Forward([Input(8, 16, 16)] Tensor x)
        {
            var h = Relu(BatchNorm2d(Conv2d(x, c1, padding: 1), g, b, m, v));
            h = Relu(Conv2d(h, c2, padding: 1) + h);
            return MatMul(Flatten(AvgPool2d(h, 16, 16)), fc);
        }
    }
}
