using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>w −= lr · g, in place on the weight's own shard; the learning rate is a run-time value.</summary>
    public sealed class SgdUpdateOp : OpDef
    {
        public override OpKind Kind => OpKind.SgdUpdate;
        public override bool HasOutput => false;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);

        /// <summary>The gradient must be laid out exactly as the weight: the update is local to each shard.</summary>
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op)
        {
            var w = g.Tensor(op.Inputs[0]).Sbp;
            yield return new Signature(w, w, w);
        }
    }

    /// <summary>Reads a batch fed by the host: the data input or the labels.</summary>
    public sealed class InputOp : OpDef
    {
        public override OpKind Kind => OpKind.Input;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => Shape.Scalar;
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) { yield break; }
    }

    /// <summary>Moves a tensor from one SBP to another; inserted by the planner, never written by a user.</summary>
    public sealed class BoxingOp : OpDef
    {
        public override OpKind Kind => OpKind.Boxing;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override DType OutputType(LogicalGraph g, LogicalOp op) => g.Tensor(op.Inputs[0]).DType;
        public override IEnumerable<Signature> Signatures(LogicalGraph g, LogicalOp op) { yield return new Signature(op.To, op.From); }
    }

    public static class OpRegistry
    {
        private static readonly Dictionary<OpKind, OpDef> Defs = Build(
            new InputOp(), new MatMulOp(), new AddOp(), new SubOp(), new MulOp(), new NegOp(), new ReduceRowsOp(),
            new ReluOp(), new ReluGradOp(), new SoftmaxCrossEntropyOp(), new SoftmaxCrossEntropyGradOp(),
            new SgdUpdateOp(), new BoxingOp());

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
