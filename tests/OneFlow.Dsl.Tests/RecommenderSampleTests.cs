using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The recommender as a user runs it, built in Release: a Wide & Deep click model on logs drawn from a planted
    /// teacher, its tables split by vocabulary over four devices.</summary>
    public class RecommenderSampleTests
    {
        private static (string Output, string Errors, int Code) Run(string arguments) => SampleProcess.Run("Recommender", arguments);

        [Fact]
        public void It_reaches_the_teachers_auc_within_two_hundredths_and_the_last_lines_are_the_contract()
        {
            string dir = Directory.CreateTempSubdirectory("oneflow-clicks-").FullName;
            try
            {
                string chart = Path.Combine(dir, "auc.png"), trace = Path.Combine(dir, "trace.json");
                var (output, errors, code) = Run($"--samples 100000 --vocab-scale 2e5 --plot \"{chart}\" --trace \"{trace}\"");
                Assert.True(code == 0, output + errors);
                var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();
                Assert.StartsWith("plan: cpu:0-3, tables of 200,000 rows split by vocabulary", lines[0]);
                Assert.Matches(@"^teacher auc: 0\.\d{4}$", lines[^2]);
                Assert.Matches(@"^test auc: 0\.\d{4}$", lines[^1]);
                double teacher = double.Parse(lines[^2]["teacher auc: ".Length..], CultureInfo.InvariantCulture);
                double auc = double.Parse(lines[^1]["test auc: ".Length..], CultureInfo.InvariantCulture);
                Assert.True(teacher - auc <= 0.02, output);
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(chart)[..4]);
                Assert.True(new FileInfo(trace).Length > 1000);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public void Bench_states_the_step_and_each_devices_planned_memory_and_bad_options_say_what_to_change()
        {
            var (output, errors, code) = Run("--bench --vocab-scale 1e4");
            Assert.True(code == 0, output + errors);
            Assert.Matches(@"(?m)^load average: \d+\.\d+ \d+\.\d+ \d+\.\d+$", output);
            Assert.Matches(@"wide & deep step \(batch 512, 10,000 rows, Adam \+ SparseAdam\) on cpu:0-3: median \d+\.\d\d ms", output);
            Assert.Equal(4, output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^device \d: [\d,]+ bytes planned$")));
            var small = Run("--vocab-scale 100");
            Assert.Equal(2, small.Code);
            Assert.Contains("--vocab-scale 100 is too small", small.Errors);
            var unknown = Run("--vocab 5");
            Assert.Equal(2, unknown.Code);
            Assert.Contains("Unknown option --vocab", unknown.Errors);
        }
    }
}
