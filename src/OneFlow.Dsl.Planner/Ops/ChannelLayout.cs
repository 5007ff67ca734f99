using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>What an operand of a per-channel op holds: every element of x [N, C, …], one value per channel [C], or
    /// two rows of per-channel values [2, C].</summary>
    internal enum PerWhat { Element, Channel, ChannelRows }

    /// <summary>The signatures of ops over x [N, C, …] and per-channel tensors (batch norm's parts): splitting the
    /// channels splits the per-channel tensors alike; splitting any other axis leaves them whole, and a per-channel
    /// sum over the split axis becomes a partial sum, which SBP reduces across the devices. That is how batch norm
    /// gets the statistics of the whole batch under data parallelism, with no op of its own for it.</summary>
    internal static class ChannelLayout
    {
        /// <summary>The channel axis of x.</summary>
        public const int Axis = 1;

        public static IEnumerable<Signature> Signatures(int rank, PerWhat output, params PerWhat[] operands)
        {
            for (int axis = 0; axis < rank; axis++)
            {
                var result = output == PerWhat.Element ? Sbp.S(axis) : axis == Axis ? Part(output, axis) : Sbp.P;
                yield return Signature.In(operands.Select(k => Part(k, axis)).ToArray()).Out(result);
            }
            yield return Signature.In(operands.Select(_ => Sbp.B).ToArray()).Out(Sbp.B);
        }

        private static Sbp Part(PerWhat kind, int axis)
            => kind == PerWhat.Element ? Sbp.S(axis) : axis != Axis ? Sbp.B : kind == PerWhat.Channel ? Sbp.S(0) : Sbp.S(1);

        /// <summary>Values per channel in the whole of x: N·H·W.</summary>
        public static long Count(Shape x) => x.Elements / x[Axis];
    }
}
