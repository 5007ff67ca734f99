namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Every op the planner knows. Forward ops are the ones a user calls in Forward; the others are
    /// made by autograd, by the optimizer, or by boxing.</summary>
    public enum OpKind
    {
        Input,
        MatMul,
        Add,
        Sub,
        Mul,
        Relu,
        SoftmaxCrossEntropy,
        ReluGrad,
        SoftmaxCrossEntropyGrad,
        SumTo,
        Neg,
        SgdUpdate,
        Boxing,
        Gelu,
        GeluGrad,
        Softmax,
        SoftmaxGrad,
        LogSoftmax,
        LogSoftmaxGrad,
        SumLast,
        MeanLast,
        ExpandLast,
        ExpandLastMean,
        Transpose,
        LayerNorm,
        LayerNormGrad,
        Embedding,
        EmbeddingGrad,
        MaxLast,
        MaxLastGrad,
        Dropout,
        DropoutGrad,
        Reshape,
        Slice,
        SliceGrad,
        Concat,
    }
}
