using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace OneFlow.Dsl.Mpi
{
    /// <summary>Splits each process an MPI launcher starts in two: the one the launcher sees stays out of MPI and
    /// only waits for a copy of itself that joins the job and trains.
    /// <para>Why: a process killed with <c>kill -9</c> can say nothing, and MPICH's launcher answers its death by
    /// killing every other process at once, so no survivor lives long enough to name it either. Its waiting parent
    /// does live: it sees how its rank ended, says so by rank ("rank 1 (pid 4242) ended by signal 9 (SIGKILL)"), and
    /// exits with the same code, after which the launcher ends the job. A rank that stops answering is the heartbeat's
    /// (<see cref="MpiWorld.Deadline"/>) to name.</para></summary>
    internal static class RankSupervisor
    {
        private const string SupervisedVariable = "ONEFLOW_SUPERVISED_RANK";

        /// <summary>True in a process an MPI launcher started itself (its rank's supervisor, until it has one).</summary>
        public static bool ShouldSupervise
            => Environment.GetEnvironmentVariable("PMI_RANK") is { Length: > 0 }
               && Environment.GetEnvironmentVariable(SupervisedVariable) is null;

        /// <summary>Runs this program again as the rank's trainer, waits for it, reports a death by signal, and ends
        /// this process with the trainer's exit code. Never returns.</summary>
        public static void SuperviseAndExit()
        {
            string rank = Environment.GetEnvironmentVariable("PMI_RANK")!;
            using var trainer = Process.Start(SameCommand())
                ?? throw new InvalidOperationException($"rank {rank}: could not start {Environment.ProcessPath}.");
            // Signals sent to this process by hand or by the launcher reach the trainer too; this process then ends
            // when the trainer does.
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Forward(c, trainer, 15));
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Forward(c, trainer, 2));
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => Forward(c, trainer, 1));
            trainer.WaitForExit();
            int code = trainer.ExitCode;
            if (code > 128 && code < 128 + 65)
            {
                int signal = code - 128;
                bool crash = signal is 4 or 6 or 7 or 8 or 11;
                Console.Error.WriteLine($"rank {rank} (pid {trainer.Id}) ended by signal {signal}{SignalName(signal)}; " +
                                        (crash ? "a crash in MPI's transport is often the echo of a lost peer, whose own report comes first." : "the launcher ends the job."));
                Console.Error.Flush();
                // The launcher ends the job when this process exits: a crashed rank holds on, so that the supervisor of
                // a peer whose death caused the crash (and which exits at once) names it first.
                if (crash) Thread.Sleep(CrashGrace);
            }
            Environment.Exit(code);
        }

        private static readonly TimeSpan CrashGrace = TimeSpan.FromSeconds(3);

        private static ProcessStartInfo SameCommand()
        {
            string host = Environment.ProcessPath!;
            var start = new ProcessStartInfo(host) { UseShellExecute = false };
            // Under "dotnet App.dll" the host is dotnet and the program's first argument is the assembly.
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
            foreach (string argument in Environment.GetCommandLineArgs()[1..]) start.ArgumentList.Add(argument);
            start.Environment[SupervisedVariable] = "1";
            return start;
        }

        private static void Forward(PosixSignalContext context, Process trainer, int signal)
        {
            context.Cancel = true;
            _ = kill(trainer.Id, signal);
        }

        private static string SignalName(int signal) => signal switch
        {
            1 => " (SIGHUP)", 2 => " (SIGINT)", 4 => " (SIGILL)", 6 => " (SIGABRT)", 7 => " (SIGBUS)", 8 => " (SIGFPE)",
            9 => " (SIGKILL)", 11 => " (SIGSEGV)", 15 => " (SIGTERM)", _ => "",
        };

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}
