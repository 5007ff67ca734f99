using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

/// <summary>A small convolutional network for MNIST: two conv3×3-batch-norm-ReLU-max-pool stages (16 then 32 channels)
/// and a linear classifier. Data parallel: the images are split by rows over the devices, every weight is whole on
/// each, and batch norm's statistics are the whole batch's (its per-device sums are reduced by the plan like any
/// partial sum), so four devices train exactly as one.</summary>
[Network(Batch = 64, Optimizer = Optimizers.SgdMomentum)]
[Placement("cpu:0-3")]
public partial class ConvNet
{
    [Weight(16, 1, 3, 3)]        Tensor c1;
    [Weight(16, Fill = 1)]       Tensor g1;   // batch norm's scale and shift
    [Weight(16)]                 Tensor b1;
    [Buffer(16)]                 Tensor m1;   // its running statistics: kept, saved, not trained
    [Buffer(16, Fill = 1)]       Tensor v1;
    [Weight(32, 16, 3, 3)]       Tensor c2;
    [Weight(32, Fill = 1)]       Tensor g2;
    [Weight(32)]                 Tensor b2;
    [Buffer(32)]                 Tensor m2;
    [Buffer(32, Fill = 1)]       Tensor v2;
    [Weight(32 * 7 * 7, 10)]     Tensor fc;
    [Weight(10)]                 Tensor fb;

    public Tensor Forward([Input(1, 28, 28), Sbp("S(0)")] Tensor x)
    {
        var h = MaxPool2d(Relu(BatchNorm2d(Conv2d(x, c1, padding: 1), g1, b1, m1, v1)), 2, 2);   // [64, 16, 14, 14]
        h = MaxPool2d(Relu(BatchNorm2d(Conv2d(h, c2, padding: 1), g2, b2, m2, v2)), 2, 2);       // [64, 32, 7, 7]
        return MatMul(Flatten(h), fc) + fb;
    }
}
