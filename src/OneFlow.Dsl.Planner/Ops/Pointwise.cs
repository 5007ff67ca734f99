namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The elementwise functions a fused kernel evaluates (<see cref="FusedOp"/>): every op that computes one of
    /// them says so (<see cref="OpDef.Pointwise"/>), and each backend evaluates a code with its op's own formula, so a
    /// fused group gives the numbers its ops give one by one. Operands in the op's order; the constant where one is named.</summary>
    internal enum PointwiseCode
    {
        /// <summary>The constant (no operand).</summary>
        Fill,
        /// <summary>x · constant (Scale, and ExpandAxis's repeat with its scale).</summary>
        Scale,
        /// <summary>x + constant.</summary>
        AddScalar,
        Neg,
        Add,
        Sub,
        Mul,
        Div,
        Relu,
        /// <summary>dy where y &gt; 0 (dy, y).</summary>
        ReluGrad,
        Gelu,
        GeluTanh,
        /// <summary>dy · gelu'(x) (dy, x).</summary>
        GeluGrad,
        GeluTanhGrad,
        Sigmoid,
        /// <summary>dy · (1 − y) · y (dy, y).</summary>
        SigmoidGrad,
        Tanh,
        /// <summary>dy · (1 − y²) (dy, y).</summary>
        TanhGrad,
        Exp,
        /// <summary>ds · e^(x − m) (ds, x, m): softmax cross-entropy's gradient through the sum of exponentials.</summary>
        SumExpGrad,
    }

    /// <summary>What an op computes element by element: its code and its constant.</summary>
    internal readonly record struct PointwiseForm(PointwiseCode Code, double Constant = 0)
    {
        /// <summary>Operands the code reads.</summary>
        public static int Arity(PointwiseCode code) => code switch
        {
            PointwiseCode.Fill => 0,
            PointwiseCode.Scale or PointwiseCode.AddScalar or PointwiseCode.Neg or PointwiseCode.Relu or PointwiseCode.Gelu
                or PointwiseCode.GeluTanh or PointwiseCode.Sigmoid or PointwiseCode.Tanh or PointwiseCode.Exp => 1,
            PointwiseCode.SumExpGrad => 3,
            _ => 2,
        };
    }
}
