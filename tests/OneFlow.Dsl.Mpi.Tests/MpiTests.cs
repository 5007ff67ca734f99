using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace OneFlow.Dsl.Mpi.Tests
{
    /// <summary>A fact that needs MPICH's launcher, skipped with that reason where it is missing.</summary>
    public sealed class NeedsMpichFactAttribute : FactAttribute
    {
        public NeedsMpichFactAttribute()
        {
            if (Mpich.Launcher == null) Skip = "mpiexec.mpich is not installed (apt-get install mpich; the test command installs it where it runs as root).";
        }
    }

    public sealed class NeedsMpichTheoryAttribute : TheoryAttribute
    {
        public NeedsMpichTheoryAttribute()
        {
            if (Mpich.Launcher == null) Skip = "mpiexec.mpich is not installed (apt-get install mpich; the test command installs it where it runs as root).";
        }
    }

    internal static class Mpich
    {
        public static string? Launcher => File.Exists("/usr/bin/mpiexec.mpich") ? "/usr/bin/mpiexec.mpich" : null;

        public static string Worker
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (!File.Exists(Path.Combine(dir!.FullName, "OneFlow.Dsl.sln"))) dir = dir.Parent;
                string config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
                return Path.Combine(dir.FullName, "tests", "OneFlow.Dsl.Mpi.Worker", "bin", config, "net10.0", "OneFlow.Dsl.Mpi.Worker.dll");
            }
        }
    }

    /// <summary>The Mnist network across 2 and 4 MPI processes trains with the losses of one process with four
    /// devices; a process that stops answering or dies ends the job within 30 s, named; processes running different
    /// plans refuse to start.</summary>
    public class MpiTests
    {
        /// <summary>A started program whose output is collected as it comes.</summary>
        private sealed class Run : IDisposable
        {
            private readonly Process _process;
            private readonly StringBuilder _out = new StringBuilder(), _err = new StringBuilder();

            public Run(string file, string arguments)
            {
                _process = new Process { StartInfo = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true } };
                _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_out) _out.AppendLine(e.Data); };
                _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.AppendLine(e.Data); };
                _process.Start();
                _process.BeginOutputReadLine();
                _process.BeginErrorReadLine();
            }

            public string Out { get { lock (_out) return _out.ToString(); } }
            public string Err { get { lock (_err) return _err.ToString(); } }
            public string All => Out + Err;

            public int Wait(TimeSpan limit)
            {
                if (!_process.WaitForExit((int)limit.TotalMilliseconds)) { _process.Kill(entireProcessTree: true); throw new TimeoutException($"did not finish in {limit.TotalSeconds} s:\n{All}"); }
                _process.WaitForExit();
                return _process.ExitCode;
            }

            public void Dispose()
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.Dispose();
            }
        }

        private static float[] Losses(string output)
            => Regex.Matches(output, @"^loss (\d+) (\S+)$", RegexOptions.Multiline).Select(m => float.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToArray();

        private static float[] InOneProcess(string layout)
        {
            using var run = new Run("dotnet", $"\"{Mpich.Worker}\" --layout {layout} --steps 20");
            Assert.Equal(0, run.Wait(TimeSpan.FromMinutes(2)));
            return Losses(run.Out);
        }

        [NeedsMpichTheory]
        [InlineData(2, "dp")]
        [InlineData(2, "mp")]
        [InlineData(4, "dp")]
        [InlineData(4, "mp")]
        public void Ranks_train_like_one_process_with_four_devices(int ranks, string layout)
        {
            var expected = InOneProcess(layout);
            Assert.Equal(20, expected.Length);
            using var run = new Run(Mpich.Launcher!, $"-n {ranks} dotnet \"{Mpich.Worker}\" --mpi --layout {layout} --steps 20");
            Assert.True(run.Wait(TimeSpan.FromMinutes(4)) == 0, run.All);
            var losses = Losses(run.Out);
            Assert.Equal(20, losses.Length);
            for (int i = 0; i < 20; i++)
                Assert.True(Math.Abs(expected[i] - losses[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"step {i}: {expected[i]} in one process, {losses[i]} on {ranks} ranks");
        }

        /// <summary>Starts a long job, waits until it trains, then does <paramref name="harm"/> to rank 1.</summary>
        private static (int Code, TimeSpan Took, string Output, int Pid) Harm(string signal)
        {
            using var run = new Run(Mpich.Launcher!, $"-n 3 dotnet \"{Mpich.Worker}\" --mpi --layout dp --steps 1000000");
            var clock = Stopwatch.StartNew();
            int pid = 0;
            while (clock.Elapsed < TimeSpan.FromMinutes(2) && (pid == 0 || Losses(run.Out).Length < 3))
            {
                var m = Regex.Match(run.Err, @"rank 1 pid (\d+)");
                if (m.Success) pid = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                Thread.Sleep(100);
            }
            Assert.True(pid != 0 && Losses(run.Out).Length >= 3, "the job did not start training:\n" + run.All);
            Process.Start("kill", $"-{signal} {pid}")!.WaitForExit();
            var harmed = Stopwatch.StartNew();
            int code = run.Wait(TimeSpan.FromSeconds(60));
            var took = harmed.Elapsed;
            Process.Start("kill", $"-KILL {pid}")!.WaitForExit();
            return (code, took, run.All, pid);
        }

        [NeedsMpichFact]
        public void A_rank_that_stops_answering_ends_the_job_within_30_seconds_named()
        {
            var (code, took, output, _) = Harm("STOP");
            Assert.NotEqual(0, code);
            Assert.True(took < TimeSpan.FromSeconds(30), $"took {took.TotalSeconds:F1} s:\n{output}");
            Assert.Matches(@"rank [02]: lost rank 1", output);
        }

        /// <summary>Killed, a rank can say nothing and MPICH's launcher kills the others at once; the process the
        /// launcher started for that rank (its supervisor) names it.</summary>
        [NeedsMpichFact]
        public void A_killed_rank_ends_the_job_within_30_seconds_named()
        {
            var (code, took, output, pid) = Harm("KILL");
            Assert.NotEqual(0, code);
            Assert.True(took < TimeSpan.FromSeconds(30), $"took {took.TotalSeconds:F1} s:\n{output}");
            Assert.Contains($"rank 1 (pid {pid}) ended by signal 9 (SIGKILL); the launcher ends the job.", output);
            // A survivor may crash in MPI's transport reading from the dead rank (and say so), but no other is named killed.
            Assert.DoesNotMatch(@"rank [02] \(pid \d+\) ended by signal 9", output);
        }

        /// <summary>The sample as the README launches it: two processes, data parallel; rank 0 alone prints, and the
        /// last line is the sample's contract.</summary>
        [NeedsMpichFact]
        public void The_mnist_sample_trains_across_two_processes()
        {
            string sample = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Mpich.Worker)))))!,
                "..", "samples", "Mnist", "bin", "Release", "net10.0", "Mnist.dll");
            // Real MNIST where the test command points at it; the sample's synthetic digits (which it learns perfectly) elsewhere.
            string? data = Environment.GetEnvironmentVariable("ONEFLOW_DATA") is { Length: > 0 } root && Directory.Exists(Path.Combine(root, "mnist"))
                ? Path.Combine(root, "mnist") : null;
            using var run = new Run(Mpich.Launcher!, $"-n 2 dotnet \"{Path.GetFullPath(sample)}\" --mpi --epochs 1{(data == null ? "" : $" --data \"{data}\"")}");
            Assert.True(run.Wait(TimeSpan.FromMinutes(3)) == 0, run.All);
            var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines, l => l.StartsWith("plan: 2/cpu:0-1", StringComparison.Ordinal));
            Assert.Matches(data == null ? @"^test accuracy: [01]\.\d{4}$" : @"^test accuracy: 0\.9\d{3}$", lines[^1].Trim());
        }

        /// <summary>The recommender with its tables split by vocabulary over two processes, updated from the rows each
        /// batch touched: it reaches the planted teacher's AUC within 0.02.</summary>
        [NeedsMpichFact]
        public void The_recommender_trains_its_split_tables_across_two_processes()
        {
            string sample = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Mpich.Worker)))))!,
                "..", "samples", "Recommender", "bin", "Release", "net10.0", "Recommender.dll");
            using var run = new Run(Mpich.Launcher!, $"-n 2 dotnet \"{Path.GetFullPath(sample)}\" --mpi --samples 100000");
            Assert.True(run.Wait(TimeSpan.FromMinutes(3)) == 0, run.All);
            var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();
            Assert.Single(lines, l => l.StartsWith("plan: 2/cpu:0-1, tables of 100,000 rows split by vocabulary", StringComparison.Ordinal));
            Assert.Matches(@"^teacher auc: 0\.\d{4}$", lines[^2]);
            Assert.Matches(@"^test auc: 0\.\d{4}$", lines[^1]);
            double teacher = double.Parse(lines[^2]["teacher auc: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            double auc = double.Parse(lines[^1]["test auc: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(teacher - auc <= 0.02, run.Out);
        }

        [NeedsMpichFact]
        public void Ranks_running_different_plans_refuse_to_start()
        {
            using var run = new Run(Mpich.Launcher!, $"-n 1 dotnet \"{Mpich.Worker}\" --mpi --layout dp : -n 1 dotnet \"{Mpich.Worker}\" --mpi --layout mp");
            int code = run.Wait(TimeSpan.FromMinutes(2));
            Assert.NotEqual(0, code);
            Assert.Matches(@"rank \d runs plan [0-9a-f]{16} but rank \d runs plan [0-9a-f]{16}: start every rank with the same program and options", run.All);
            Assert.Empty(Losses(run.Out));
        }
    }
}
