using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reads a batch fed by the host: the data input or the labels. The sessions copy it in themselves.</summary>
    internal sealed class InputOp : OpDef
    {
        public override string NotDifferentiable => "it is data";
        public override bool RunsAsKernel => false;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => Shape.Scalar;
        public override string[] Operands => new string[0];
        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield break; }
    }
}
