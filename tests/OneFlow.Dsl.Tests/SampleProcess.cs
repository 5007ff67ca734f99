using System.Diagnostics;
using System.IO;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A sample run as a user runs it: its Release build, with arguments, its output and exit code read back.</summary>
    internal static class SampleProcess
    {
        public static (string Output, string Errors, int Code) Run(string sample, string arguments)
        {
            string dll = Path.Combine(TestData.RepositoryRoot, "samples", sample, "bin", "Release", "net10.0", sample + ".dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (scripts/test.sh does).");
            var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (output, errors.Result, process.ExitCode);
        }
    }
}
