using System.Collections.Generic;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Every op definition by kind, and the names under which users call them.</summary>
    public static class OpRegistry
    {
        private static readonly Dictionary<OpKind, OpDef> Defs = Build(
            new InputOp(), new MatMulOp(), new AddOp(), new SubOp(), new MulOp(), new NegOp(), new SumToOp(),
            new ReluOp(), new ReluGradOp(), new SoftmaxCrossEntropyOp(), new SoftmaxCrossEntropyGradOp(),
            new SgdUpdateOp(), new MomentumUpdateOp(), new AdamUpdateOp(), new SumSquaresOp(), new CausalSoftmaxOp(), new PermuteOp(), new BoxingOp(), new GeluOp(), new GeluGradOp(), new SoftmaxOp(), new SoftmaxGradOp(),
            new LogSoftmaxOp(), new LogSoftmaxGradOp(), new ReduceLastOp(mean: false), new ReduceLastOp(mean: true), new ExpandLastOp(mean: false), new ExpandLastOp(mean: true),
            new TransposeOp(), new LayerNormOp(), new LayerNormGradOp(), new EmbeddingOp(), new EmbeddingGradOp(), new MaxLastOp(), new MaxLastGradOp(), new DropoutOp(), new DropoutGradOp(),
            new ReshapeOp(), new SliceOp(), new SliceGradOp(), new ConcatOp(), new ScaleOp(), new AccumulateOp());

        public static OpDef Get(OpKind kind) => Defs[kind];

        /// <summary>The ops a user may call in Forward or Loss, by the name of their method in <c>Ops</c>.</summary>
        public static bool TryGetUserOp(string name, out OpKind kind)
        {
            switch (name)
            {
                case "MatMul": kind = OpKind.MatMul; return true;
                case "Add": kind = OpKind.Add; return true;
                case "Sub": kind = OpKind.Sub; return true;
                case "Mul": kind = OpKind.Mul; return true;
                case "Relu": kind = OpKind.Relu; return true;
                case "SoftmaxCrossEntropy": kind = OpKind.SoftmaxCrossEntropy; return true;
                case "Gelu": kind = OpKind.Gelu; return true;
                case "Softmax": kind = OpKind.Softmax; return true;
                case "CausalSoftmax": kind = OpKind.CausalSoftmax; return true;
                case "Permute": kind = OpKind.Permute; return true;
                case "LogSoftmax": kind = OpKind.LogSoftmax; return true;
                case "Sum": kind = OpKind.SumLast; return true;
                case "Mean": kind = OpKind.MeanLast; return true;
                case "Transpose": kind = OpKind.Transpose; return true;
                case "LayerNorm": kind = OpKind.LayerNorm; return true;
                case "Embedding": kind = OpKind.Embedding; return true;
                case "Max": kind = OpKind.MaxLast; return true;
                case "Dropout": kind = OpKind.Dropout; return true;
                case "Reshape": kind = OpKind.Reshape; return true;
                case "Slice": kind = OpKind.Slice; return true;
                case "Concat": kind = OpKind.Concat; return true;
                case "Scale": kind = OpKind.Scale; return true;
                default: kind = OpKind.Input; return false;
            }
        }

        private static Dictionary<OpKind, OpDef> Build(params OpDef[] defs)
        {
            var map = new Dictionary<OpKind, OpDef>();
            foreach (var d in defs) map.Add(d.Kind, d);
            return map;
        }
    }
}
