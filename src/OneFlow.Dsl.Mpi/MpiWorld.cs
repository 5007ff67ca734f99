using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using OneFlow.Dsl.Runtime;
using static MPI.Unsafe;

namespace OneFlow.Dsl.Mpi
{
    /// <summary>The processes of an MPI job as a transport for plan sessions, over MPI.NET's raw bindings and
    /// Debian's MPICH (MPI.NET is built against MS-MPI, whose handles are MPICH's: a resolver maps msmpi.dll to
    /// libmpich.so.12). A heartbeat thread exchanges a message with every peer twice a second; a peer silent for
    /// <see cref="Deadline"/> has died or stopped answering, and this process then exits with code 3 and a message
    /// naming it, whatever its other threads are blocked in — never a hang.</summary>
    public sealed unsafe class MpiWorld : IRankTransport, IDisposable
    {
        /// <summary>How long a process waits for a peer's message before it declares that peer lost.</summary>
        public static TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>The exit code of a process that lost a peer.</summary>
        public const int LostPeerExitCode = 3;

        private const string Mpich = "libmpich.so.12";
        private static int _resolver;

        public int Rank { get; }
        public int Size { get; }

        private readonly Thread? _heartbeat;
        private volatile bool _stopping;

        private MpiWorld(int rank, int size)
        {
            Rank = rank;
            Size = size;
            if (size == 1) return;
            _heartbeat = new Thread(Heartbeat) { IsBackground = true, Name = "heartbeat" };
            _heartbeat.Start();
        }

        /// <summary>Joins the job (MPI_Init_thread, every thread allowed to communicate). In the process the
        /// launcher started, this first runs the program again as the rank's trainer and never returns: that process
        /// only waits and names its rank if the trainer is killed (<see cref="RankSupervisor"/>).</summary>
        public static MpiWorld Start()
        {
            if (RankSupervisor.ShouldSupervise) RankSupervisor.SuperviseAndExit();
            if (Interlocked.Exchange(ref _resolver, 1) == 0)
                NativeLibrary.SetDllImportResolver(typeof(MPI.Unsafe).Assembly, (name, _, _) =>
                    name.Contains("msmpi", StringComparison.OrdinalIgnoreCase) && NativeLibrary.TryLoad(Mpich, out var h) ? h : IntPtr.Zero);
            int argc = 0;
            byte** argv = null;
            Check(MPI_Init_thread(ref argc, ref argv, MPI_THREAD_MULTIPLE, out int provided), "MPI_Init_thread");
            if (provided < MPI_THREAD_MULTIPLE) throw new InvalidOperationException("This MPI cannot be used from several threads (MPI_THREAD_MULTIPLE); install MPICH.");
            // Errors come back as codes, so that a lost peer is reported by name rather than aborting the job.
            Check(Native.MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
            Check(MPI_Comm_rank(MPI_COMM_WORLD, out int rank), "MPI_Comm_rank");
            Check(MPI_Comm_size(MPI_COMM_WORLD, out int size), "MPI_Comm_size");
            return new MpiWorld(rank, size);
        }

        public void Exchange(IReadOnlyList<RankMessage> sends, IReadOnlyList<RankMessage> receives)
        {
            int count = sends.Count + receives.Count;
            if (count == 0) return;
            var requests = stackalloc int[count];
            var peers = stackalloc int[count];
            int k = 0;
            foreach (var m in receives)
            {
                Check(MPI_Irecv(m.Buffer, m.Floats, MPI_FLOAT, m.Rank, m.Tag, MPI_COMM_WORLD, out requests[k]), "MPI_Irecv");
                peers[k++] = m.Rank;
            }
            foreach (var m in sends)
            {
                Check(MPI_Isend(m.Buffer, m.Floats, MPI_FLOAT, m.Rank, m.Tag, MPI_COMM_WORLD, out requests[k]), "MPI_Isend");
                peers[k++] = m.Rank;
            }
            WaitAll(requests, peers, count);
        }

        /// <summary>An all-reduce in place.</summary>
        public void AllreduceSum(Span<float> values)
        {
            if (Size == 1) return;
            fixed (float* v = values) Allreduce(InPlace, (IntPtr)v, values.Length);
        }

        /// <summary>An all-reduce from one buffer into another: no copy first.</summary>
        public void AllreduceSum(ReadOnlySpan<float> input, Span<float> output)
        {
            if (Size == 1) { input.CopyTo(output); return; }
            fixed (float* i = input, o = output) Allreduce((IntPtr)i, (IntPtr)o, output.Length);
        }

        /// <summary>MPI_Allreduce; on a node with more processes than cores, MPI_Iallreduce waited for politely instead:
        /// MPICH's blocking collectives spin, and a process spinning on a core that another rank needs slows the whole
        /// job. (Where every process has a core, the blocking call is the faster one: MPICH's non-blocking all-reduce
        /// of 16M floats took 2.5 times as long here.)</summary>
        private void Allreduce(IntPtr input, IntPtr output, int count)
        {
            if (!Oversubscribed)
            {
                Check(MPI_Allreduce(input, output, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
                return;
            }
            Check(Native.MPI_Iallreduce(input, output, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, out int request), "MPI_Iallreduce");
            var backoff = new Backoff();
            while (true)
            {
                Check(MPI_Test(ref request, out int done, out _), "MPI_Test (all-reduce)");
                if (done != 0) return;
                backoff.Pause();
            }
        }

        /// <summary>True when this node runs more of the job's processes than it has cores (MPICH's launcher says how many
        /// it started here).</summary>
        private static readonly bool Oversubscribed =
            int.TryParse(Environment.GetEnvironmentVariable("MPI_LOCALNRANKS"), out int local) && local > Environment.ProcessorCount;

        /// <summary>MPICH's MPI_IN_PLACE.</summary>
        private static readonly IntPtr InPlace = new IntPtr(-1);

        private const int HeartbeatTag = 32002;

        /// <summary>Twice a second, a message to every peer and a look at what came from each: one missing for
        /// <see cref="Deadline"/> ends this process. On shutdown, each peer's last message says goodbye instead.</summary>
        private void Heartbeat()
        {
            var lastSeen = new long[Size];
            var incoming = new int[Size];
            var outgoing = new int[Size];
            var received = new int[Size];
            var said = new int[Size];
            var sent = new int[Size];
            var goodbye = new bool[Size];
            var clock = Stopwatch.StartNew();
            fixed (int* rx = received, tx = sent)
            {
                for (int p = 0; p < Size; p++)
                {
                    incoming[p] = outgoing[p] = MPI_REQUEST_NULL;
                    if (p != Rank) MPI_Irecv((IntPtr)(rx + p), 1, MPI_INT, p, HeartbeatTag, MPI_COMM_WORLD, out incoming[p]);
                }
                long nextBeat = 0;
                while (true)
                {
                    bool stopping = _stopping;
                    for (int p = 0; p < Size; p++)
                    {
                        if (p == Rank) continue;
                        if (incoming[p] != MPI_REQUEST_NULL && MPI_Test(ref incoming[p], out int arrived, out _) == 0 && arrived != 0)
                        {
                            lastSeen[p] = clock.ElapsedMilliseconds;
                            if (received[p] == 1) goodbye[p] = true;
                            else MPI_Irecv((IntPtr)(rx + p), 1, MPI_INT, p, HeartbeatTag, MPI_COMM_WORLD, out incoming[p]);
                        }
                        if (outgoing[p] != MPI_REQUEST_NULL) MPI_Test(ref outgoing[p], out _, out _);
                        if (outgoing[p] == MPI_REQUEST_NULL && said[p] == 0 && (clock.ElapsedMilliseconds >= nextBeat || stopping))
                        {
                            sent[p] = stopping ? 1 : 0;
                            if (stopping) said[p] = 1;
                            MPI_Isend((IntPtr)(tx + p), 1, MPI_INT, p, HeartbeatTag, MPI_COMM_WORLD, out outgoing[p]);
                        }
                        if (!goodbye[p] && clock.ElapsedMilliseconds - lastSeen[p] > Deadline.TotalMilliseconds)
                        {
                            Console.Error.WriteLine($"rank {Rank}: lost rank {p}: no word from it for {Deadline.TotalSeconds:F0} s; it died or stopped answering. Exiting.");
                            Console.Error.Flush();
                            Environment.Exit(LostPeerExitCode);
                        }
                    }
                    if (clock.ElapsedMilliseconds >= nextBeat) nextBeat = clock.ElapsedMilliseconds + 500;
                    if (stopping && AllDone(goodbye, outgoing)) return;
                    Thread.Sleep(stopping ? 1 : 50);
                }
            }
        }

        private bool AllDone(bool[] goodbye, int[] outgoing)
        {
            for (int p = 0; p < Size; p++)
                if (p != Rank && (!goodbye[p] || outgoing[p] != MPI_REQUEST_NULL)) return false;
            return true;
        }

        /// <summary>Polls until every request is done; a lost peer is the heartbeat's to report.</summary>
        private void WaitAll(int* requests, int* peers, int count)
        {
            var backoff = new Backoff();
            while (true)
            {
                bool done = true;
                for (int i = 0; i < count; i++)
                {
                    if (requests[i] == MPI_REQUEST_NULL) continue;
                    int error = MPI_Test(ref requests[i], out int flag, out _);
                    if (error != 0) throw Lost(peers[i], $"MPI reported error {error} talking to it");
                    if (flag == 0) done = false;
                }
                if (done) return;
                backoff.Pause();
            }
        }

        /// <summary>Waiting that yields between polls; where processes outnumber cores, it spins briefly (a message often
        /// arrives within microseconds), then yields, then sleeps, so that a rank that waits leaves the cores to the
        /// ranks still working. Where every process has a core, sleeping would only add latency.</summary>
        private struct Backoff
        {
            private int _rounds;

            public void Pause()
            {
                if (!Oversubscribed) { Thread.Yield(); return; }
                _rounds++;
                if (_rounds < 64) Thread.SpinWait(32);
                else if (_rounds < 256) Thread.Yield();
                else Thread.Sleep(_rounds < 1024 ? 0 : 1);
            }
        }

        private Exception Lost(int peer, string why)
            => new RankLostException(peer, $"rank {Rank}: lost rank {peer} ({why}); it died or stopped answering.");

        private static void Check(int error, string call)
        {
            if (error != 0) throw new InvalidOperationException($"{call} failed with MPI error {error}.");
        }

        /// <summary>Says goodbye to every peer (so that none takes the silence for a death) and leaves the job.</summary>
        public void Dispose()
        {
            _stopping = true;
            _heartbeat?.Join();
            MPI_Finalize();
        }

        private static class Native
        {
            [DllImport(Mpich)] public static extern int MPI_Comm_set_errhandler(int comm, int handler);
            [DllImport(Mpich)] public static extern int MPI_Iallreduce(IntPtr input, IntPtr output, int count, int type, int op, int comm, out int request);
        }
    }

    /// <summary>A peer process died or stopped answering.</summary>
    public sealed class RankLostException : Exception
    {
        public int LostRank { get; }
        public RankLostException(int lostRank, string message) : base(message) => LostRank = lostRank;
    }
}
