using System.Collections.Generic;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The mean over every element of a loss between a prediction and a target of the same shape (PyTorch's
    /// <c>reduction='mean'</c>), a scalar. A device holding a part adds its elements' losses divided by the whole
    /// count, so the parts' results are partial sums of the mean. Its gradient kernel takes dy (the loss's gradient).</summary>
    internal abstract class ElementwiseLossOp : OpDef
    {
        /// <summary>The kind computing d prediction = f'(prediction, target) / N · dy.</summary>
        protected abstract OpKind Gradient { get; }

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            if (!ShapeOf(g, op, 0).Equals(ShapeOf(g, op, 1)))
                throw Mismatch(op, $"{UserName}: {NameOf(g, op, 0)} is {ShapeOf(g, op, 0)} but {NameOf(g, op, 1)} is {ShapeOf(g, op, 1)}; the prediction and the target must have the same shape.");
            if (g.Tensor(op.Inputs[1]).DType != DType.F32)
                throw Mismatch(op, $"{UserName}: {NameOf(g, op, 1)} holds integers; the target of {UserName} is a float tensor (class ids go to SoftmaxCrossEntropy).");
            return Shape.Scalar;
        }

        public override string[] Operands => new[] { "prediction", "target" };

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            for (int axis = 0; axis < c.Input("prediction").Rank; axis++) yield return In(Sbp.S(axis), Sbp.S(axis)).Out(Sbp.P);
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int prediction = op.Inputs[0], target = op.Inputs[1];
            int? grad = null;
            int Grad() => grad ??= ad.Emit(Gradient, new[] { prediction, target, dy }, prediction);
            if (ad.NeedsGradient(prediction)) ad.Accumulate(prediction, Grad());
            if (ad.NeedsGradient(target)) ad.Accumulate(target, TargetGradient(ad, op, Grad, dy));
        }

        /// <summary>d target: the negation of the prediction's gradient, where the loss is a function of the difference.</summary>
        protected virtual int TargetGradient(GradientBuilder ad, LogicalOp op, System.Func<int> grad, int dy) => ad.Neg(grad(), op.Inputs[1]);
    }

    /// <summary>d prediction of an <see cref="ElementwiseLossOp"/>: inputs (prediction, target, dy), the prediction's shape.</summary>
    internal abstract class ElementwiseLossGradOp : GradientOp
    {
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        public override string[] Operands => new[] { "prediction", "target", "dy" };

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            for (int axis = 0; axis < c.Input("prediction").Rank; axis++) yield return In(Sbp.S(axis), Sbp.S(axis), Sbp.B).Out(Sbp.S(axis));
            yield return In(Sbp.B, Sbp.B, Sbp.B).Out(Sbp.B);
        }
    }

    /// <summary>mean((y − t)²) (<c>torch.nn.functional.mse_loss</c>); d y = 2(y − t) / N · dy.</summary>
    internal sealed class MseLossOp : ElementwiseLossOp
    {
        public override string UserName => "MseLoss";
        public override void ToOnnx(OnnxWriter w)
        {
            string d = w.Node("Sub", new[] { w.Input(0), w.Input(1) });
            w.Emit("ReduceMean", new[] { w.Node("Mul", new[] { d, d }) }, OnnxAttribute.Of("keepdims", 0L));
        }

        protected override OpKind Gradient => OpKind.MseLossGrad;
    }

    internal sealed class MseLossGradOp : ElementwiseLossGradOp { }

    /// <summary>mean(|y − t|) (<c>torch.nn.functional.l1_loss</c>); d y = sign(y − t) / N · dy.</summary>
    internal sealed class L1LossOp : ElementwiseLossOp
    {
        public override string UserName => "L1Loss";
        public override void ToOnnx(OnnxWriter w)
            => w.Emit("ReduceMean", new[] { w.Node("Abs", new[] { w.Node("Sub", new[] { w.Input(0), w.Input(1) }) }) }, OnnxAttribute.Of("keepdims", 0L));

        protected override OpKind Gradient => OpKind.L1LossGrad;
    }

    internal sealed class L1LossGradOp : ElementwiseLossGradOp { }

    /// <summary>mean(max(x, 0) − x·t + log(1 + e^−|x|)), the binary cross-entropy of logits x against targets t in
    /// [0, 1] (<c>torch.nn.functional.binary_cross_entropy_with_logits</c>); d x = (σ(x) − t) / N · dy, d t = −x / N · dy.</summary>
    internal sealed class BceWithLogitsLossOp : ElementwiseLossOp
    {
        public override string UserName => "BceWithLogitsLoss";
        public override void ToOnnx(OnnxWriter w)
        {
            string x = w.Input(0);
            string tail = w.Node("Softplus", new[] { w.Node("Neg", new[] { w.Node("Abs", new[] { x }) }) });
            string each = w.Node("Add", new[] { w.Node("Sub", new[] { w.Node("Relu", new[] { x }), w.Node("Mul", new[] { x, w.Input(1) }) }), tail });
            w.Emit("ReduceMean", new[] { each }, OnnxAttribute.Of("keepdims", 0L));
        }

        protected override OpKind Gradient => OpKind.BceWithLogitsLossGrad;

        protected override int TargetGradient(GradientBuilder ad, LogicalOp op, System.Func<int> grad, int dy)
        {
            int x = op.Inputs[0], t = op.Inputs[1];
            return ad.Scale(ad.Mul(x, dy, t), -1.0 / ad.ShapeOf(x).Elements, t);
        }
    }

    internal sealed class BceWithLogitsLossGradOp : ElementwiseLossGradOp { }
}
