using System;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>What arithmetic between a tensor and a constant is made of, for both the eager operators and the
    /// generator, so that <c>1f - x</c> is the same ops in either: each step is an op applied to the previous
    /// step's result (the tensor first).</summary>
    internal static class ScalarArithmetic
    {
        /// <summary>The steps of <c>x op c</c> (<paramref name="constantFirst"/> false) or <c>c op x</c> (true), for op
        /// one of + − * /.</summary>
        public static (OpKind Op, double[] Args)[] Steps(char op, bool constantFirst, double c)
        {
            switch (op)
            {
                case '+': return new[] { (OpKind.AddScalar, new[] { c }) };
                case '-' when constantFirst: return new[] { (OpKind.Neg, Array.Empty<double>()), (OpKind.AddScalar, new[] { c }) };
                case '-': return new[] { (OpKind.AddScalar, new[] { -c }) };
                case '*': return new[] { (OpKind.Scale, new[] { c }) };
                case '/' when constantFirst && c == 1: return new[] { (OpKind.Reciprocal, Array.Empty<double>()) };
                case '/' when constantFirst: return new[] { (OpKind.Reciprocal, Array.Empty<double>()), (OpKind.Scale, new[] { c }) };
                case '/': return new[] { (OpKind.Scale, new[] { 1 / c }) };
                default: throw new ArgumentException($"'{op}' is not an arithmetic operator of tensors and constants; use + - * /.", nameof(op));
            }
        }
    }
}
