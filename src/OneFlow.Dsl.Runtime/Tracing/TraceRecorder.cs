using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime.Tracing
{
    /// <summary>What an actor's time went to: its op's computation, a boxing op's data movement, waiting at a
    /// collective for the other participants, messages to other processes, or a feed from the host; or a device
    /// thread spinning for work before it sleeps (no actor).</summary>
    internal enum TraceKind : byte { Compute, Boxing, Waiting, Communication, Feed, Spin }

    /// <summary>Records what every device thread (and the communication thread) did, as the Chrome trace-event JSON
    /// that chrome://tracing and Perfetto open: one row per thread, one slice per act. Recording is a few stores into
    /// a preallocated array; when it is full, later events are dropped and the file says how many.</summary>
    internal sealed class TraceRecorder
    {
        private struct Event
        {
            public int Actor, Thread;
            public TraceKind Kind;
            public long Start, End;
        }

        private readonly Event[] _events;
        private int _count;

        public TraceRecorder(int capacity) => _events = new Event[capacity];

        public static long Now => Stopwatch.GetTimestamp();

        public void Add(int actor, int thread, TraceKind kind, long start, long end)
        {
            int i = Interlocked.Increment(ref _count) - 1;
            if (i < _events.Length) _events[i] = new Event { Actor = actor, Thread = thread, Kind = kind, Start = start, End = end };
        }

        /// <summary>Per thread, the share of the recorded span (first start to last end, over all threads) it spent
        /// computing, moving data or reading feeds: one minus it is that thread's idle share, a pipeline's bubble
        /// included. Waiting at a collective and spinning count as idle.</summary>
        public double[] BusyShares(int threads)
        {
            int count = Math.Min(_count, _events.Length);
            long first = long.MaxValue, last = long.MinValue;
            var busy = new long[threads];
            for (int i = 0; i < count; i++)
            {
                var e = _events[i];
                first = Math.Min(first, e.Start);
                last = Math.Max(last, e.End);
                if (e.Kind != TraceKind.Waiting && e.Kind != TraceKind.Spin && e.Thread < threads) busy[e.Thread] += e.End - e.Start;
            }
            double span = Math.Max(1, last - first);
            var shares = new double[threads];
            for (int t = 0; t < threads; t++) shares[t] = count == 0 ? 0 : busy[t] / span;
            return shares;
        }

        /// <summary>Writes the events recorded so far; <paramref name="threadNames"/> names each row.</summary>
        public void Write(string path, Plan plan, string[] threadNames)
        {
            int count = Math.Min(_count, _events.Length);
            long origin = long.MaxValue;
            for (int i = 0; i < count; i++) origin = Math.Min(origin, _events[i].Start);
            using var file = File.Create(path);
            using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = false });
            json.WriteStartObject();
            json.WriteString("displayTimeUnit", "ms");
            json.WriteStartObject("otherData");
            json.WriteString("plan", $"{plan.Network} {plan.Mode} on {string.Join(" + ", plan.Placements)}");
            json.WriteNumber("dropped", Math.Max(0, _count - _events.Length));
            json.WriteEndObject();
            json.WriteStartArray("traceEvents");
            for (int t = 0; t < threadNames.Length; t++)
            {
                json.WriteStartObject();
                json.WriteString("ph", "M");
                json.WriteString("name", "thread_name");
                json.WriteNumber("pid", 0);
                json.WriteNumber("tid", t);
                json.WriteStartObject("args");
                json.WriteString("name", threadNames[t]);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            for (int i = 0; i < count; i++)
            {
                var e = _events[i];
                var op = e.Actor >= 0 ? plan.Ops[plan.Actors[e.Actor].Op] : null;
                json.WriteStartObject();
                json.WriteString("ph", "X");
                json.WriteString("name", op == null ? "spin" : Name(plan, op, e.Kind));
                json.WriteString("cat", e.Kind.ToString().ToLowerInvariant());
                json.WriteNumber("pid", 0);
                json.WriteNumber("tid", e.Thread);
                json.WriteNumber("ts", Micro(e.Start - origin));
                json.WriteNumber("dur", Micro(e.End - e.Start));
                if (op != null)
                {
                    json.WriteStartObject("args");
                    json.WriteNumber("actor", e.Actor);
                    json.WriteString("op", op.Origin);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }

        private static string Name(Plan plan, PlanOp op, TraceKind kind)
        {
            string what = op.Kind == Planner.Ops.OpKind.Boxing ? Planner.Plan.PlanReport.CollectiveName(op) : op.Kind.ToString();
            string output = op.Output >= 0 ? " " + plan.Tensors[op.Output].Name : "";
            return kind == TraceKind.Waiting ? "wait: " + what + output : what + output;
        }

        private static double Micro(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
    }
}
