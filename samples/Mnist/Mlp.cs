using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

/// <summary>The README's network, as written there: x split by rows, w1 by columns, so the planner must
/// insert a boxing op before the first MatMul; it declares the optimizer its compiled plan trains with (SGD, the
/// default).</summary>
[Network(Batch = 64, Optimizer = Optimizers.Sgd)]
[Placement("cpu:0-3")]                 // four devices; "cuda:0-7", "2x4:cuda" (a 2-D mesh) ...
public partial class Mlp
{
    [Weight(784, 512), Sbp("S(1)")] Tensor w1;   // column-parallel
    [Weight(512),      Sbp("S(0)")] Tensor b1;
    [Weight(512, 10),  Sbp("S(0)")] Tensor w2;   // row-parallel: its product is P(sum)
    [Weight(10)]                    Tensor b2;   // B by default

    public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
    {
        var h = Relu(MatMul(x, w1) + b1);
        return MatMul(h, w2) + b2;
    }
}
