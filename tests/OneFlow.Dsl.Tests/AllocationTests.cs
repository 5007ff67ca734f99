using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A warm training step of the samples' networks allocates nothing on the managed heap: feeds, kernels, the
    /// actor engine, the boxing, the convolutions' unfolded columns and the optimizers all work in memory planned at build
    /// time. Every one of 100 consecutive steps is counted, process-wide (device threads and kernel helpers included), in
    /// a process of its own (tests/OneFlow.Dsl.AllocationProbe): this test host allocates on its own threads every
    /// ~100 ms, which such a count would see.</summary>
    public sealed class AllocationTests : IClassFixture<AllocationTests.Probe>
    {
        private const int Steps = 100;
        private readonly Probe _probe;

        public AllocationTests(Probe probe) => _probe = probe;

        [Theory]
        [InlineData("mlp on cpu:0-3")]
        [InlineData("cnn sample on cpu:0-3")]
        [InlineData("cnn sample on cpu:0")]
        [InlineData("vision networks on cpu:0-3")]
        [InlineData("vision networks on cpu:0")]
        [InlineData("pipelined gpt with adamw and clipping")]
        public void Every_warm_step_allocates_nothing(string network)
        {
            Assert.True(_probe.Steps.TryGetValue(network, out var allocated), $"the probe measured no '{network}':\n{_probe.Output}");
            Assert.Equal(Steps, allocated!.Length);
            var steps = Enumerable.Range(0, Steps).Where(i => allocated[i] != 0).ToList();
            Assert.True(steps.Count == 0, $"{steps.Count} of {Steps} steps allocated: " + string.Join(", ", steps.Take(10).Select(i => $"step {i}: {allocated[i]} B")));
        }

        /// <summary>One run of the probe: the bytes each step allocated, by network.</summary>
        public sealed class Probe
        {
            public string Output { get; }
            public IReadOnlyDictionary<string, long[]> Steps { get; }

            public Probe()
            {
                string config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
                string dll = Path.Combine(TestData.RepositoryRoot, "tests", "OneFlow.Dsl.AllocationProbe", "bin", config, "net10.0", "OneFlow.Dsl.AllocationProbe.dll");
                Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first (scripts/test.sh does).");
                var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {AllocationTests.Steps}") { RedirectStandardOutput = true, RedirectStandardError = true };
                using var process = Process.Start(info)!;
                var errors = process.StandardError.ReadToEndAsync();
                Output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"the allocation probe failed:\n{Output}{errors.Result}");
                Steps = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => line.Split(": "))
                    .ToDictionary(parts => parts[0], parts => parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray());
            }
        }
    }
}
