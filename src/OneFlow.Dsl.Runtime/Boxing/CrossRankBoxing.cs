using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime.Boxing
{
    /// <summary>One boxing op whose devices live in several processes, as this process runs it. The op's transfer
    /// already says which runs of which source part every destination part needs; here the runs between processes
    /// become messages: each source part's runs for a remote destination are packed and sent, each remote source's
    /// runs for a local destination are received and unpacked into a copy of that source part laid out as it is
    /// there, and then every local destination is computed exactly as in one process. A partial-sum all-reduce
    /// with one device per process goes to the transport's all-reduce instead, in place.</summary>
    internal sealed unsafe class CrossRankBoxing : IDisposable
    {
        private sealed class Link
        {
            public int Part;      // the source part, in the source placement
            public Planner.Plan.Register? Source; // where a sent part lives here
            public int Target;    // the destination part, in the destination placement
            public Segment[] Segments = Array.Empty<Segment>();
            public float* Buffer;
            public int Floats;
        }

        private readonly PlanOp _op;
        private readonly Transfer _transfer;
        private readonly IRankTransport _transport;
        private readonly Func<Register, long, IntPtr> _pointer;
        private readonly List<Link> _sends = new List<Link>(), _receives = new List<Link>();
        private readonly RankMessage[] _sendMessages, _receiveMessages;
        private readonly Dictionary<int, IntPtr> _remoteParts = new Dictionary<int, IntPtr>();
        private readonly (int Part, Register Register)[] _localSources;
        private readonly (int Part, Register Register)[] _localTargets;
        private readonly IntPtr[] _sources;
        private readonly bool _allreduce;

        public CrossRankBoxing(PlanLayout layout, PlanOp op, IRankTransport transport, Func<Register, long, IntPtr> pointer)
        {
            var plan = layout.Plan;
            _op = op;
            _transfer = layout.Transfers[op.Id]!;
            _transport = transport;
            _pointer = pointer;
            int rank = transport.Rank;
            var devices = plan.DeviceMap;
            int RankOfSource(int part) => devices.RankOf(devices.Of(op.Source, part));
            int RankOfTarget(int part) => devices.RankOf(devices.Of(op.Placement, part));
            _localSources = Enumerable.Range(0, op.Source.Count).Where(s => RankOfSource(s) == rank).Select(s => (s, layout.Part(op.Inputs[0], s))).ToArray();
            _localTargets = Enumerable.Range(0, op.Placement.Count).Where(d => RankOfTarget(d) == rank).Select(d => (d, layout.Part(op.Output, d))).ToArray();
            _sources = new IntPtr[op.Source.Count];

            // One device per process on one list: the partial sums meet in the transport's all-reduce.
            _allreduce = op.Collective == Collective.AllReduce && op.Placement.MeshRank == 1 && op.Placement.Count == transport.Size
                && Enumerable.Range(0, op.Placement.Count).Select(RankOfTarget).Distinct().Count() == transport.Size;
            if (_allreduce) { _sendMessages = _receiveMessages = Array.Empty<RankMessage>(); return; }

            for (int d = 0; d < op.Placement.Count; d++)
                foreach (var part in _transfer.Parts[d])
                {
                    bool sourceHere = RankOfSource(part.Source) == rank, targetHere = RankOfTarget(d) == rank;
                    if (sourceHere == targetHere) continue;
                    var link = new Link { Part = part.Source, Target = d, Segments = part.Segments, Floats = part.Segments.Sum(s => s.Length) };
                    if (sourceHere) link.Source = layout.Part(op.Inputs[0], part.Source);
                    link.Buffer = (float*)NativeMemory.Alloc((nuint)Math.Max(1, link.Floats) * sizeof(float));
                    (sourceHere ? _sends : _receives).Add(link);
                    if (!sourceHere && !_remoteParts.ContainsKey(part.Source))
                    {
                        long elements = plan.Tensors[op.Inputs[0]].Shape.Elements; // a remote part is never larger than the tensor
                        var copy = (IntPtr)NativeMemory.AllocZeroed((nuint)Math.Max(1, elements) * sizeof(float));
                        _remoteParts[part.Source] = copy;
                    }
                }
            int tag = op.Id;
            _sendMessages = _sends.Select(l => new RankMessage(RankOfTarget(l.Target), tag, (IntPtr)l.Buffer, l.Floats)).ToArray();
            _receiveMessages = _receives.Select(l => new RankMessage(RankOfSource(l.Part), tag, (IntPtr)l.Buffer, l.Floats)).ToArray();
        }

        /// <summary>True when the op is one all-reduce between processes, one device each: several such ops can share
        /// one collective (see <see cref="AllReduceLength"/>, <see cref="CopyIn"/>, <see cref="CopyOut"/>).</summary>
        public bool IsAllReduce => _allreduce;

        /// <summary>How many floats this process contributes to the all-reduce.</summary>
        public int AllReduceLength => (int)_localTargets[0].Register.LocalShape.Elements;

        /// <summary>This process's partial sums, into a bucket.</summary>
        public void CopyIn(Span<float> bucket, long piece)
            => new ReadOnlySpan<float>((float*)_pointer(_localSources[0].Register, piece), bucket.Length).CopyTo(bucket);

        /// <summary>The reduced values, out of a bucket into the op's result.</summary>
        public void CopyOut(ReadOnlySpan<float> bucket, long piece)
            => bucket.CopyTo(new Span<float>((float*)_pointer(_localTargets[0].Register, piece), bucket.Length));

        /// <summary>True when this process holds some of the op's devices and so takes part.</summary>
        public bool Participates => _localSources.Length > 0 || _localTargets.Length > 0;

        /// <summary>Moves piece <paramref name="piece"/>'s data: after it, every local destination part is written.</summary>
        public void Run(long piece)
        {
            if (_allreduce) { AllReduce(piece); return; }
            for (int k = 0; k < _sends.Count; k++) _sendMessages[k] = _sendMessages[k] with { Floats = Pack(_sends[k], piece) };
            _transport.Exchange(_sendMessages, _receiveMessages);
            foreach (var link in _receives) Unpack(link);
            foreach (var (part, register) in _localSources) _sources[part] = _pointer(register, piece);
            foreach (var kv in _remoteParts) _sources[kv.Key] = kv.Value;
            foreach (var (part, register) in _localTargets) _transfer.Apply(part, _sources, (float*)_pointer(register, piece));
        }

        private void AllReduce(long piece)
        {
            var (_, source) = _localSources[0];
            var (_, target) = _localTargets[0];
            int n = (int)target.LocalShape.Elements;
            float* from = (float*)_pointer(source, piece), to = (float*)_pointer(target, piece);
            // The memory plan gives the result the partial sums' own bytes where nothing else reads them.
            if (from == to) _transport.AllreduceSum(new Span<float>(to, n));
            else _transport.AllreduceSum(new ReadOnlySpan<float>(from, n), new Span<float>(to, n));
        }

        /// <summary>Packs the link's runs (of counted blocks, their counted rows only, as the last of one block each);
        /// returns how many floats are to be sent.</summary>
        private int Pack(Link link, long piece)
        {
            float* src = (float*)_pointer(link.Source!, piece);
            float* dst = link.Buffer;
            foreach (var s in link.Segments)
            {
                int length = _transfer.Used(src + s.Src, s.Length);
                new ReadOnlySpan<float>(src + s.Src, length).CopyTo(new Span<float>(dst, length));
                dst += length;
            }
            return (int)(dst - link.Buffer);
        }

        private void Unpack(Link link)
        {
            float* src = link.Buffer;
            float* dst = (float*)_remoteParts[link.Part];
            foreach (var s in link.Segments)
            {
                int length = _transfer.Used(src, s.Length);
                new ReadOnlySpan<float>(src, length).CopyTo(new Span<float>(dst + s.Src, length));
                src += length;
            }
        }

        public void Dispose()
        {
            foreach (var l in _sends.Concat(_receives)) NativeMemory.Free(l.Buffer);
            foreach (var p in _remoteParts.Values) NativeMemory.Free((void*)p);
            _sends.Clear();
            _receives.Clear();
            _remoteParts.Clear();
        }
    }
}
