using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Writes one new position of each sequence into a cache and gives the whole cache: operands (cache
    /// [B, …, T, …], value [B, …, 1, …], positions [B, 1] ids), argument the time axis. Row b of the value goes to
    /// position positions[b] of row b of the cache, in place (the cache is a buffer kept across decoding steps). What
    /// incremental decoding (<see cref="Passes.IncrementalDecoding"/>) makes of an operand that reads every position.</summary>
    internal sealed record CacheAppendAttributes(int Axis) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("axis", Axis);
    }

    internal sealed class CacheAppendOp : OpDef
    {
        public override string[] Operands => new[] { "cache", "value", "positions" };
        public override string NotDifferentiable => "it fills a decoding cache, which is not trained";
        public override bool InDerivedNetworks => true;
        public override bool SignaturesFollowOperands => true;

        public static int Axis(IOpAttributes op) => op.Get<CacheAppendAttributes>().Axis;

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length == 1 ? new CacheAppendAttributes((int)args[0]) : throw BadCall(subject, "CacheAppend takes the time axis after its three tensors.");

        public override OpAttributes ReadAttributes(AttributeReader r) => new CacheAppendAttributes(r.Int("axis"));

        public override int[] UpdatedOperands(IOpAttributes op) => new[] { 0 };

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape cache = ShapeOf(g, op, 0), value = ShapeOf(g, op, 1), positions = ShapeOf(g, op, 2);
            int axis = Axis(op);
            bool fits = axis >= 1 && axis < cache.Rank && value.Rank == cache.Rank && value[axis] == 1
                        && Enumerable.Range(0, cache.Rank).All(k => k == axis || cache[k] == value[k]);
            if (!fits)
                throw Mismatch(op, $"CacheAppend: the cache {NameOf(g, op, 0)} is {cache} and the new value {NameOf(g, op, 1)} {value}; they must agree but for one position along axis {axis}.");
            if (g.Tensor(op.Inputs[2]).DType != DType.I32 || positions.Rank != 2 || positions[0] != cache[0] || positions[1] != 1)
                throw Mismatch(op, $"CacheAppend: the positions {NameOf(g, op, 2)} are {positions}; they must be integer ids [{cache[0]}, 1], one per sequence.");
            return cache;
        }

        /// <summary>Laid out as the cache: sequences split with their positions, or another axis split (heads) with
        /// the positions whole.</summary>
        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            var sbp = c.Input("cache").Sbp;
            if (sbp.IsSplit && sbp.Axis == 0) yield return In(sbp, sbp, sbp).Out(sbp);
            else if (sbp.IsSplit && sbp.Axis != Axis(c.Op)) yield return In(sbp, sbp, Sbp.B).Out(sbp);
            else yield return In(Sbp.B, Sbp.B, Sbp.B).Out(Sbp.B);
        }
    }

    /// <summary>Causal softmax of scores [B, …, Tq, Tk] whose query rows start at a position of their own: operands
    /// (scores, positions [B, 1] ids); row i of sequence b keeps keys 0 … positions[b] + i. Decoding one position at a
    /// time against a cache of Tk positions (Tq = 1), it keeps what is filled so far.</summary>
    internal sealed class OffsetCausalSoftmaxOp : OpDef
    {
        public override string[] Operands => new[] { "scores", "positions" };
        public override string NotDifferentiable => "it belongs to decoding, which does not train";
        public override bool InDerivedNetworks => true;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape x = ShapeOf(g, op, 0), positions = ShapeOf(g, op, 1);
            if (x.Rank < 3) throw Mismatch(op, $"OffsetCausalSoftmax: {NameOf(g, op, 0)} is {x}; it needs scores [B, …, Tq, Tk].");
            if (g.Tensor(op.Inputs[1]).DType != DType.I32 || positions.Rank != 2 || positions[0] != x[0] || positions[1] != 1)
                throw Mismatch(op, $"OffsetCausalSoftmax: the positions {NameOf(g, op, 1)} are {positions}; they must be integer ids [{x[0]}, 1], one per sequence.");
            return x;
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c)
        {
            int rank = c.Input("scores").Rank;
            yield return In(Sbp.S(0), Sbp.S(0)).Out(Sbp.S(0));
            for (int k = 1; k < rank - 2; k++) yield return In(Sbp.S(k), Sbp.B).Out(Sbp.S(k));
            yield return In(Sbp.B, Sbp.B).Out(Sbp.B);
        }
    }
}
