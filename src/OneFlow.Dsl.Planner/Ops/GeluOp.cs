
namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as GPT-2 uses.</summary>
    internal sealed class GeluOp : ElementwiseOp
    {
        public override string UserName => "Gelu";
        /// <summary>Opset 17 has no Gelu: the tanh approximation written out.</summary>
        public override void ToOnnx(OnnxWriter w)
        {
            string x = w.Input(0);
            string cube = w.Node("Mul", new[] { w.Node("Mul", new[] { x, x }), x });
            string inner = w.Node("Add", new[] { x, w.Node("Mul", new[] { cube, w.Scalar(0.044715f) }) });
            string tanh = w.Node("Tanh", new[] { w.Node("Mul", new[] { inner, w.Scalar((float)System.Math.Sqrt(2 / System.Math.PI)) }) });
            w.Emit("Mul", new[] { w.Node("Mul", new[] { x, w.Scalar(0.5f) }), w.Node("Add", new[] { tanh, w.Scalar(1f) }) });
        }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy) => Through(ad, op, dy, OpKind.GeluGrad, op.Inputs[0]);
    }

    /// <summary>dx = dy · gelu'(x).</summary>
    internal sealed class GeluGradOp : ElementwiseGradOp
    {
    }
}
