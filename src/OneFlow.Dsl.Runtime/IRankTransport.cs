using System;
using System.Collections.Generic;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>A message between processes: <see cref="Floats"/> floats at <see cref="Buffer"/>, to or from
    /// <see cref="Rank"/>, matched by <see cref="Tag"/> and by the order messages are posted in.</summary>
    public readonly record struct RankMessage(int Rank, int Tag, IntPtr Buffer, int Floats);

    /// <summary>How a session that runs one process's share of a plan reaches the other processes (MPI in
    /// OneFlow.Dsl.Mpi; threads in the tests). Every process calls the same operations in the same order.</summary>
    public interface IRankTransport
    {
        int Rank { get; }
        int Size { get; }

        /// <summary>Posts every receive and send, then waits for all of them; throws, naming the rank, when a peer
        /// stops answering. A receive may get fewer floats than it has room for (the counted rows of a block).</summary>
        void Exchange(IReadOnlyList<RankMessage> sends, IReadOnlyList<RankMessage> receives);

        /// <summary>Sums <paramref name="values"/> element by element over every process, in place.</summary>
        void AllreduceSum(Span<float> values);

        /// <summary>Sums every process's <paramref name="input"/> into <paramref name="output"/> (of the same length).</summary>
        void AllreduceSum(ReadOnlySpan<float> input, Span<float> output);
    }
}
