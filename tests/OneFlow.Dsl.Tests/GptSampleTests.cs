using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A fact that is skipped, with its reason, when the tiny-shakespeare text is not there.</summary>
    public sealed class NeedsShakespeareFactAttribute : FactAttribute
    {
        public NeedsShakespeareFactAttribute()
        {
            if (!File.Exists(GptSampleTests.Text))
                Skip = $"tiny-shakespeare is not at {GptSampleTests.Text}; set ONEFLOW_DATA to the folder that holds tinyshakespeare/.";
        }
    }

    /// <summary>The GPT sample as a user runs it, built in Release: data, tensor and pipeline parallel on four CPU
    /// devices. A short run (the full one, 2000 steps to a val loss under 2.0, is the note's figure).</summary>
    public class GptSampleTests
    {
        public static string Text => Path.Combine(TestData.Root, "tinyshakespeare", "input.txt");

        private static (string Output, string Errors, int Code) Run(string arguments) => SampleProcess.Run("Gpt", arguments);

        [NeedsShakespeareFact]
        public void Three_hundred_steps_learn_shakespeare_and_the_last_line_is_the_val_loss()
        {
            string trace = Path.Combine(Path.GetTempPath(), $"gpt-{Guid.NewGuid():N}.json"), chart = Path.ChangeExtension(trace, ".png");
            try
            {
                var (output, errors, code) = Run($"--data \"{Text}\" --steps 300 --trace \"{trace}\" --plot \"{chart}\"");
                Assert.True(code == 0, output + errors);
                var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
                Assert.Equal(3, lines.Count(l => l.StartsWith("step ", StringComparison.Ordinal)));
                // 200 sampled characters between the two rules, then the contract line.
                int first = Array.IndexOf(lines, "---"), second = Array.LastIndexOf(lines, "---");
                Assert.Equal(200, string.Join("\n", lines[(first + 1)..second]).Length);
                string last = lines.Last(l => l.Length > 0);
                Assert.Matches(@"^val loss: \d\.\d{4}$", last);
                double loss = double.Parse(last["val loss: ".Length..], CultureInfo.InvariantCulture);
                // A character chosen uniformly costs ln 96 = 4.56 nats and the letters' frequencies alone ~3.3.
                Assert.True(loss < 2.45, $"val loss {loss} after 300 steps:\n{output}");
                using var json = JsonDocument.Parse(File.ReadAllText(trace));
                var names = json.RootElement.GetProperty("traceEvents").EnumerateArray()
                    .Where(e => e.TryGetProperty("cat", out _)).Select(e => e.GetProperty("cat").GetString()).ToHashSet();
                Assert.Contains("compute", names);
                Assert.Contains("boxing", names);
                Assert.Matches(@"trace of steps 2-4 written to .*: devices busy \d+%, \d+%, \d+%, \d+% of the time", output);
                // Redirected, no progress bar is drawn.
                Assert.DoesNotContain("\r", output);
                var png = File.ReadAllBytes(chart);
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            }
            finally
            {
                File.Delete(trace);
                File.Delete(chart);
            }
        }

        [Fact]
        public void Without_data_it_learns_its_own_text_and_bad_options_say_what_to_change()
        {
            string plan = Path.Combine(Path.GetTempPath(), $"gpt-plan-{Guid.NewGuid():N}.svg");
            try
            {
                var (output, errors, code) = Run($"--steps 60 --log-every 30 --plan \"{plan}\"");
                Assert.True(code == 0, output + errors);
                Assert.Matches(@"^val loss: \d\.\d{4}$", output.TrimEnd().Split('\n')[^1]);
                string written = System.Text.RegularExpressions.Regex.Match(output, @"plan graph written to (\S+)").Groups[1].Value;
                string graph = File.ReadAllText(written);
                Assert.True(written.EndsWith(".svg", StringComparison.Ordinal) ? graph.Contains("<svg", StringComparison.Ordinal) : graph.StartsWith("digraph", StringComparison.Ordinal), written);
                File.Delete(written);
            }
            finally
            {
                File.Delete(plan);
            }
            var bad = Run("--steps zero");
            Assert.Equal(2, bad.Code);
            Assert.Contains("--steps needs a positive whole number, not 'zero'.", bad.Errors);
            var missing = Run("--data /nonexistent/input.txt");
            Assert.Equal(2, missing.Code);
            Assert.Contains("No text at /nonexistent/input.txt", missing.Errors);
        }
    

        /// <summary>Weights saved after a short training run generate text with the KV-cache decoder; the last line
        /// is the rate, and a missing weights file is refused.</summary>
        [Fact]
        public void Saved_weights_generate_text_and_the_last_line_is_the_rate()
        {
            string weights = Path.Combine(Path.GetTempPath(), $"gpt-{Guid.NewGuid():N}.safetensors"), onnx = Path.ChangeExtension(weights, ".onnx");
            try
            {
                var (output, errors, code) = Run($"--steps 20 --log-every 20 --save \"{weights}\" --export \"{onnx}\"");
                Assert.True(code == 0, output + errors);
                Assert.Matches(@"^val loss: \d\.\d{4}$", output.TrimEnd().Split('\n')[^1]);
                Assert.True(new FileInfo(onnx).Length > new FileInfo(weights).Length / 2, "the ONNX model holds the weights");
                foreach (string method in new[] { "", " --recompute" })
                {
                    var generated = Run($"--generate 100 --prompt \"ROMEO:\" --weights \"{weights}\"{method}");
                    Assert.True(generated.Code == 0, generated.Output + generated.Errors);
                    var lines = generated.Output.Split('\n');
                    Assert.Equal("", lines[^1]);
                    Assert.Matches(@"^tokens/s: \d+\.\d$", lines[^2]);
                    string text = string.Join("\n", lines[..^2]);
                    Assert.StartsWith("ROMEO:", text);
                    Assert.Equal("ROMEO:".Length + 100, text.Length);
                }
                var missing = Run("--generate 10 --prompt x");
                Assert.Equal(2, missing.Code);
                Assert.Contains("--generate needs --weights FILE", missing.Errors);
            }
            finally
            {
                File.Delete(weights);
                File.Delete(onnx);
            }
        }
    }
}
