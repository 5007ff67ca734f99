using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The shapes one instance of an op works on, fixed before it runs: this device's part of each operand
    /// and of the output, the whole (logical) tensors, and where each part starts in its whole tensor. A mean over a
    /// split axis divides by the whole length; a lookup into a split table needs its first row.</summary>
    internal sealed class OpGeometry
    {
        private static readonly int[] NoStart = new int[0];

        public PlanOp Op { get; }
        public Shape[] Inputs { get; }
        public Shape Output { get; }
        public Shape[] WholeInputs { get; }
        public Shape WholeOutput { get; }
        public int[][] InputStarts { get; }
        public int[] OutputStart { get; }

        /// <summary>A part of whole tensors as given; <see cref="Of"/> and <see cref="Whole"/> are the usual ways in.</summary>
        public OpGeometry(PlanOp op, Shape[] inputs, Shape output, Shape[] wholeInputs, Shape wholeOutput, int[][] inputStarts, int[] outputStart)
        {
            Op = op; Inputs = inputs; Output = output; WholeInputs = wholeInputs; WholeOutput = wholeOutput;
            InputStarts = inputStarts; OutputStart = outputStart;
        }

        /// <summary>What <paramref name="actor"/>'s device holds of its op's operands.</summary>
        public static OpGeometry Of(Plan plan, Actor actor)
        {
            var op = plan.Ops[actor.Op];
            int[] Start(int tensor)
            {
                var t = plan.Tensors[tensor];
                return Partition.Offsets(t.Shape, t.Sbp, t.Placement, plan.DeviceMap.IndexIn(t.Placement, actor.Device));
            }
            return new OpGeometry(op,
                actor.Inputs.Select(r => plan.Registers[r].LocalShape).ToArray(),
                actor.Output >= 0 ? plan.Registers[actor.Output].LocalShape : Shape.Scalar,
                op.Inputs.Select(t => plan.Tensors[t].Shape).ToArray(),
                op.Output >= 0 ? plan.Tensors[op.Output].Shape : Shape.Scalar,
                op.Inputs.Select(Start).ToArray(),
                op.Output >= 0 ? Start(op.Output) : NoStart);
        }

        /// <summary>One device holding every tensor whole: an eager call, or a kernel test.</summary>
        public static OpGeometry Whole(PlanOp op, Shape[] inputs, Shape output)
            => new OpGeometry(op, inputs, output, inputs, output, inputs.Select(s => new int[s.Rank]).ToArray(), new int[output.Rank]);

        /// <summary>The whole tensor's row-major strides, for kernels that place a part within it.</summary>
        public static void Strides(Shape whole, Span<long> strides)
        {
            long stride = 1;
            for (int i = whole.Rank - 1; i >= 0; i--) { strides[i] = stride; stride *= whole[i]; }
        }
    }
}
