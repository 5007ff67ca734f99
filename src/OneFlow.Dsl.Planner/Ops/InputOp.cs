using System.Collections.Generic;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Reads a batch fed by the host: the data input or the labels. The sessions copy it in themselves.</summary>
    public sealed class InputOp : OpDef
    {
        [ModuleInitializer] internal static void Register() => OpRegistry.Add(new InputOp());

        public override OpKind Kind => OpKind.Input;
        public override string NotDifferentiable => "it is data";
        public override bool RunsAsKernel => false;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => Shape.Scalar;
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) { yield break; }
    }
}
