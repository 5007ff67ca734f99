using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Signatures of ops that work along the last axis of each row (softmax, layer norm, a reduction):
    /// any other axis may be split, the last one may not; partial sums pass only through linear ones.</summary>
    internal static class RowOps
    {
        /// <summary>A row op decodes position by position unless its rows run along the positions.</summary>
        public static void Decode(DecodingBuilder d, OpDecl s, PositionAxes[] times)
        {
            d.Along(s, times[0], d.Rank(s.Inputs[0]) - 1, "normalises over");
            d.Emit(s, times[0]);
        }

        public static IEnumerable<Signature> Signatures(int rank, int inputs, bool linear)
        {
            for (int axis = 0; axis < rank - 1; axis++)
            {
                var ins = new Sbp[inputs];
                for (int i = 0; i < inputs; i++) ins[i] = Sbp.S(axis);
                yield return Signature.In(ins).Out(Sbp.S(axis));
            }
            var all = new Sbp[inputs];
            for (int i = 0; i < inputs; i++) all[i] = Sbp.B;
            yield return Signature.In(all).Out(Sbp.B);
            if (linear)
            {
                var partial = new Sbp[inputs];
                for (int i = 0; i < inputs; i++) partial[i] = Sbp.P;
                yield return Signature.In(partial).Out(Sbp.P);
            }
        }
    }
}
