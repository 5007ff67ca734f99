using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

/// <summary>A Wide & Deep click model over 26 categorical features and 13 dense ones. Every feature's vocabulary is one
/// range of rows of two tables split by vocabulary over the devices: the deep table's rows (16 wide) are concatenated
/// with a small MLP of the dense features and fed to the top MLP; the wide table's rows (1 wide) are summed over the
/// features into a linear term. Both tables are updated from the rows a batch touched (Adam as SparseAdam); the MLPs
/// are whole on every device, the batch split (data parallel). The table sizes are set at run time
/// (<c>Spec.WithWeight</c>) from --vocab-scale.</summary>
[Network(Batch = Sizes.Batch, Optimizer = Optimizers.Adam)]
[Placement("cpu:0-3")]
public partial class ClickModel
{
    [Weight(Sizes.Rows, Sizes.Width), Sbp("S(0)")] Tensor deep;
    [Weight(Sizes.Rows, 1), Sbp("S(0)")]           Tensor wide;
    [Weight(Sizes.Dense, 32)]                       Tensor bottom;
    [Weight(32)]                                    Tensor bottomBias;
    [Weight(Sizes.Features * Sizes.Width + 32, 64)] Tensor top;
    [Weight(64)]                                    Tensor topBias;
    [Weight(64, 1)]                                 Tensor head;
    [Weight(1)]                                     Tensor headBias;

    /// <summary>The logit of a click, [batch, 1].</summary>
    public Tensor Forward([Input(Sizes.Features), Ids] Tensor categories, [Input(Sizes.Dense)] Tensor dense)
    {
        var embedded = Reshape(Embedding(categories, deep), -1, Sizes.Features * Sizes.Width);
        var d = Relu(MatMul(dense, bottom) + bottomBias);
        var h = Relu(MatMul(Concat(embedded, d, 1), top) + topBias);
        return MatMul(h, head) + headBias + EmbeddingBag(categories, wide, BagMode.Sum);
    }

    public Tensor Loss(Tensor logit, [Input(1)] Tensor click) => BceWithLogitsLoss(logit, click);
}

/// <summary>The model's sizes, constants so that the planner sees them at build time; the tables' rows are the
/// build-time default, replaced at run time.</summary>
public static class Sizes
{
    public const int Batch = 512, Features = 26, Dense = 13, Width = 16, Rows = 100_000;
}
