using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Debian's PyTorch as the reference: runs a script of Torch/, which computes in float64 from our float32
    /// inputs, and compares what it wrote with ours. Every element agrees within 1e-5 of its tensor's largest magnitude:
    /// the tolerance measures our float32 error alone, whatever CPU computed the reference.</summary>
    internal static class TorchPeer
    {
        public const string Python = "/usr/bin/python3";
        private const double Tolerance = 1e-5;

        public static readonly Lazy<bool> Available = new(() => Start("-c \"import torch\"").Code == 0);

        /// <summary>Runs Torch/<paramref name="script"/> with <paramref name="arguments"/>; a failure fails the test with its output.</summary>
        public static void Run(string script, params string[] arguments)
        {
            string path = Path.Combine(TestData.RepositoryRoot, "tests", "OneFlow.Dsl.Tests", "Torch", script);
            var (code, output) = Start($"\"{path}\" {string.Join(" ", arguments.Select(a => $"\"{a}\""))}");
            Assert.True(code == 0, "PyTorch failed:\n" + output);
        }

        public static void Close(string what, float[] ours, float[] theirs)
        {
            Assert.Equal(theirs.Length, ours.Length);
            double scale = Math.Max(1e-30, theirs.Max(v => Math.Abs(v)));
            for (int i = 0; i < ours.Length; i++)
                Assert.True(Math.Abs(ours[i] - theirs[i]) <= Tolerance * scale, $"{what}[{i}]: ours {ours[i]}, PyTorch {theirs[i]} (largest magnitude {scale})");
        }

        private static (int Code, string Output) Start(string arguments)
        {
            if (!File.Exists(Python)) return (-1, $"{Python} is missing");
            var info = new ProcessStartInfo(Python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output + errors.Result);
        }
    }
}
