using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Export;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean over every row of −log softmax(logits)[label]: logits [N,…,C], integer labels [N,…] (one
    /// per row: every axis but the last), a scalar out.</summary>
    internal sealed class SoftmaxCrossEntropyOp : OpDef
    {
        public override string UserName => "SoftmaxCrossEntropy";
        /// <summary>ONNX's negative log-likelihood wants the classes on axis 1 and 64-bit labels.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            int rank = w.InputShape(0).Rank;
            string logProbabilities = w.Node("LogSoftmax", new[] { w.Input(0) }, OnnxAttribute.Of("axis", -1L));
            if (rank > 2)
                logProbabilities = w.Node("Transpose", new[] { logProbabilities },
                    OnnxAttribute.Of("perm", new[] { 0L, rank - 1 }.Concat(Enumerable.Range(1, rank - 2).Select(i => (long)i)).ToArray()));
            string labels = w.Node("Cast", new[] { w.Input(1) }, OnnxAttribute.Of("to", 7L));
            w.Emit("NegativeLogLikelihoodLoss", new[] { logProbabilities, labels });
        }


        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape logits = ShapeOf(g, op, 0), labels = ShapeOf(g, op, 1);
            if (logits.Rank < 2 || labels.Rank != logits.Rank - 1 || !Enumerable.Range(0, labels.Rank).All(k => labels[k] == logits[k]))
                throw Mismatch(op, $"SoftmaxCrossEntropy: {NameOf(g, op, 0)} is {logits} but {NameOf(g, op, 1)} is {labels}; one label per row is needed.");
            if (g.Tensor(op.Inputs[1]).DType != DType.I32)
                throw Mismatch(op, $"SoftmaxCrossEntropy: {NameOf(g, op, 1)} must hold integer class ids; pass the Loss's labels to it as they are, or mark them [Ids].");
            return Shape.Scalar;
        }

        /// <summary>Each device holding a slice of the rows adds its rows' losses divided by the whole batch size,
        /// so the slices' results are partial sums of the mean.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            yield return new Signature(Sbp.P, Sbp.S(0), Sbp.S(0));
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B);
        }

        /// <summary>d logits = (softmax − one-hot) / N · dy, in one kernel.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int logits = op.Inputs[0];
            if (ad.NeedsGradient(logits)) ad.Accumulate(logits, ad.Emit(OpKind.SoftmaxCrossEntropyGrad, new[] { logits, op.Inputs[1], dy }, logits));
        }
    }

    /// <summary>(softmax(logits) − one-hot(labels)) / N · dy, where N is the number of rows of the whole (logical)
    /// logits and dy the loss's gradient (a scalar).</summary>
    internal sealed class SoftmaxCrossEntropyGradOp : GradientOp
    {
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            yield return new Signature(Sbp.S(0), Sbp.S(0), Sbp.S(0), Sbp.B);
            yield return new Signature(Sbp.B, Sbp.B, Sbp.B, Sbp.B);
        }
    }
}
