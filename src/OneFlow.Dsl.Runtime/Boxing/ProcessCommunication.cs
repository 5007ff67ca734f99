using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime.Tracing;

namespace OneFlow.Dsl.Runtime.Boxing
{
    /// <summary>What a CPU session does with the other processes of a plan spread over several: it checks they run the
    /// same plan, carries out the boxing ops whose devices span processes on a communication thread that takes them in
    /// plan order (the same order in every process, so collectives always match; consecutive gradient all-reduces
    /// share one collective), and gathers the parts of a tensor the host reads.</summary>
    internal sealed unsafe class ProcessCommunication : IDisposable
    {
        /// <summary>Up to this many floats of gradients share one all-reduce (PyTorch DDP's bucket is 25 MB).</summary>
        private const int BucketFloats = 25 << 18;
        private const int GatherTag = 32000, HandshakeTag = 32003;

        private readonly Plan _plan;
        private readonly PlanLayout _layout;
        private readonly IRankTransport _transport;
        private readonly Func<Register, long, IntPtr> _pointer;
        private readonly CrossRankBoxing?[] _boxing;
        private readonly SemaphoreSlim?[] _ready;
        private readonly Action<PlanOp, long, long> _completed;
        private readonly Thread? _thread;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Func<PlanOp, long, bool> _idle;
        private long _ticks;

        /// <param name="participants">Per op, how many of its actors run in this process.</param>
        /// <param name="idle">Whether an op does nothing in a piece (a once-per-step op in an earlier micro-batch).</param>
        /// <param name="completed">Called on the communication thread when an op's data has moved (its start and end
        /// ticks): the session completes the op's local actors.</param>
        /// <param name="failed">Called with what went wrong on the communication thread.</param>
        public ProcessCommunication(PlanLayout layout, IRankTransport transport, int[] participants, Func<Register, long, IntPtr> pointer,
            Func<PlanOp, long, bool> idle, Action<PlanOp, long, long> completed, Action<Exception> failed)
        {
            _plan = layout.Plan;
            _layout = layout;
            _transport = transport;
            _pointer = pointer;
            _idle = idle;
            _completed = completed;
            SamePlanEverywhere();
            _boxing = new CrossRankBoxing?[_plan.Ops.Count];
            _ready = new SemaphoreSlim?[_plan.Ops.Count];
            foreach (var op in _plan.Ops.Where(o => o.IsRendezvous && participants[o.Id] > 0
                         && _plan.ActorsOf(o.Id).Select(a => _plan.DeviceMap.RankOf(a.Device)).Distinct().Count() > 1))
            {
                _boxing[op.Id] = new CrossRankBoxing(layout, op, transport, pointer);
                _ready[op.Id] = new SemaphoreSlim(0);
            }
            if (_boxing.Any(c => c != null))
            {
                _thread = new Thread(() => Communicate(failed)) { IsBackground = true, Name = "communication" };
                _thread.Start();
            }
        }

        /// <summary>Stopwatch ticks spent moving data between processes so far.</summary>
        public long Ticks => Interlocked.Read(ref _ticks);

        /// <summary>True when <paramref name="op"/>'s data moves between processes: its local actors hand over to the
        /// communication thread once all have arrived.</summary>
        public bool Spans(PlanOp op) => _boxing[op.Id] != null;

        /// <summary>Every local participant of <paramref name="op"/> has arrived: the thread may move its data.</summary>
        public void Arrived(PlanOp op) => _ready[op.Id]!.Release();

        /// <summary>Every process must run the very same plan: a different binary or option would pair messages that
        /// do not belong together. The plan hashes are compared before anything runs.</summary>
        private void SamePlanEverywhere()
        {
            ulong hash = ulong.Parse(PlanText.Hash(PlanText.Write(_plan)), System.Globalization.NumberStyles.HexNumber);
            var mine = new float[] { BitConverter.Int32BitsToSingle((int)hash), BitConverter.Int32BitsToSingle((int)(hash >> 32)) };
            var theirs = new float[_transport.Size * 2];
            fixed (float* m = mine, t = theirs)
            {
                var sends = new List<RankMessage>();
                var receives = new List<RankMessage>();
                foreach (int r in Others())
                {
                    sends.Add(new RankMessage(r, HandshakeTag, (IntPtr)m, 2));
                    receives.Add(new RankMessage(r, HandshakeTag, (IntPtr)(t + 2 * r), 2));
                }
                _transport.Exchange(sends, receives);
            }
            foreach (int r in Others())
            {
                ulong other = (uint)BitConverter.SingleToInt32Bits(theirs[2 * r]) | (ulong)(uint)BitConverter.SingleToInt32Bits(theirs[2 * r + 1]) << 32;
                if (other != hash)
                    throw new InvalidOperationException($"rank {_transport.Rank} runs plan {hash:x16} but rank {r} runs plan {other:x16}: start every rank with the same program and options.");
            }
        }

        private IEnumerable<int> Others() => Enumerable.Range(0, _transport.Size).Where(r => r != _transport.Rank);

        /// <summary>The boxing ops that span processes, in plan order, piece after piece: each waits until this
        /// process's participants have arrived, then moves the data between processes and completes them.</summary>
        private void Communicate(Action<Exception> failed)
        {
            var units = Buckets();
            var bucket = new float[units.Max(u => u.Length > 1 ? u.Sum(op => _boxing[op.Id]!.AllReduceLength) : 0)];
            try
            {
                for (long piece = 0; ; piece++)
                    foreach (var unit in units)
                    {
                        if (_idle(unit[0], piece)) continue;
                        foreach (var op in unit) _ready[op.Id]!.Wait(_stop.Token);
                        long start = TraceRecorder.Now;
                        if (unit.Length == 1) _boxing[unit[0].Id]!.Run(piece);
                        else AllReduceTogether(unit, bucket, piece);
                        long end = TraceRecorder.Now;
                        Interlocked.Add(ref _ticks, end - start);
                        foreach (var op in unit) _completed(op, start, end);
                    }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { failed(e); }
        }

        /// <summary>The cross-process ops in plan order, in units taken together: consecutive gradient all-reduces
        /// (one device per process, read by updates only, so none waits for another) share one collective — the same
        /// grouping in every process, computed from the plan alone.</summary>
        private PlanOp[][] Buckets()
        {
            var units = new List<PlanOp[]>();
            var open = new List<PlanOp>();
            int floats = 0;
            void Flush() { if (open.Count > 0) { units.Add(open.ToArray()); open.Clear(); floats = 0; } }
            foreach (var op in _plan.Ops.Where(o => _boxing[o.Id] != null))
            {
                var boxing = _boxing[op.Id]!;
                bool gradient = boxing.IsAllReduce && _plan.Ops.Where(o => o.Inputs.Contains(op.Output)).All(o => o.IsUpdate);
                if (!gradient) { Flush(); units.Add(new[] { op }); continue; }
                if (floats + boxing.AllReduceLength > BucketFloats) Flush();
                open.Add(op);
                floats += boxing.AllReduceLength;
            }
            Flush();
            return units.ToArray();
        }

        /// <summary>Several gradient all-reduces as one: packed, reduced in place, unpacked.</summary>
        private void AllReduceTogether(PlanOp[] unit, float[] bucket, long piece)
        {
            int offset = 0;
            foreach (var op in unit)
            {
                var boxing = _boxing[op.Id]!;
                boxing.CopyIn(bucket.AsSpan(offset, boxing.AllReduceLength), piece);
                offset += boxing.AllReduceLength;
            }
            _transport.AllreduceSum(bucket.AsSpan(0, offset));
            offset = 0;
            foreach (var op in unit)
            {
                var boxing = _boxing[op.Id]!;
                boxing.CopyOut(bucket.AsSpan(offset, boxing.AllReduceLength), piece);
                offset += boxing.AllReduceLength;
            }
        }

        /// <summary>Every process sends its parts of <paramref name="tensor"/> to every other, so that each can read
        /// the whole of it: <paramref name="sources"/> gets the received parts (freed by the caller through
        /// <paramref name="received"/>).</summary>
        public void Gather(int tensor, IntPtr[] sources, List<IntPtr> received)
        {
            var sends = new List<RankMessage>();
            var receives = new List<RankMessage>();
            for (int i = 0; i < sources.Length; i++)
            {
                var r = _layout.Part(tensor, i);
                int owner = _plan.DeviceMap.RankOf(r.Device), floats = (int)r.LocalShape.Elements;
                if (owner == _transport.Rank)
                {
                    foreach (int other in Others()) sends.Add(new RankMessage(other, GatherTag, _pointer(r, 0), floats));
                }
                else
                {
                    var buffer = (IntPtr)NativeMemory.Alloc((nuint)Math.Max(1, floats) * sizeof(float));
                    received.Add(buffer);
                    sources[i] = buffer;
                    receives.Add(new RankMessage(owner, GatherTag, buffer, floats));
                }
            }
            _transport.Exchange(sends, receives);
        }

        /// <summary>A scalar summed over every process.</summary>
        public float Sum(float local)
        {
            Span<float> total = stackalloc float[1];
            total[0] = local;
            _transport.AllreduceSum(total);
            return total[0];
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread?.Join();
            foreach (var c in _boxing) c?.Dispose();
        }
    }
}
