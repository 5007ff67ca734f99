using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

namespace Pictures;

/// <summary>The README's example.</summary>
[Network(Batch = 64)]
[Placement("cpu:0-3")]
public partial class Mlp
{
    [Weight(784, 512), Sbp("S(1)")] Tensor w1;
    [Weight(512), Sbp("S(0)")] Tensor b1;
    [Weight(512, 10), Sbp("S(0)")] Tensor w2;
    [Weight(10)] Tensor b2;

    public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
    {
        var h = Relu(MatMul(x, w1) + b1);
        return MatMul(h, w2) + b2;
    }
}

/// <summary>A layer as a module, so that stages are a placement on a field.</summary>
[Module]
public partial class Layer
{
    [Weight(256, 256)] Tensor w;
    [Weight(256)] Tensor b;

    public Tensor Forward(Tensor x) => Relu(MatMul(x, w) + b);
}

/// <summary>Two pipeline stages of two layers each, data parallel inside each stage, four micro-batches a step.</summary>
[Network(Batch = 64, MicroBatches = 4)]
[Placement("cpu:0-1")]
public partial class Staged
{
    [Weight(784, 256)] Tensor input;
    [Repeat(4), Stages("cpu:0-1", "cpu:2-3")] Layer[] layers;
    [Weight(256, 10)] Tensor head;

    public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
    {
        var h = Relu(MatMul(x, input));
        foreach (var layer in layers) h = layer.Forward(h);
        return MatMul(h, head);
    }
}
