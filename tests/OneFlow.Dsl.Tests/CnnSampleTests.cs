using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The Cnn sample: its network (samples/Cnn/ConvNet.cs) trains alike on four devices data parallel, on one,
    /// and with its output channels split over two, batch norm's running statistics included; and the sample as a
    /// user runs it reaches its accuracy on MNIST and keeps its contract.</summary>
    public class CnnSampleTests
    {
        private const int Steps = 10;

        private static string Dll => Path.Combine(TestData.RepositoryRoot, "samples", "Cnn", "bin", "Release", "net10.0", "Cnn.dll");

        /// <summary>The convolutions split by output channels over two devices, the images whole on both.</summary>
        private static NetworkSpec OutputChannelsSplit()
            => ConvNet.Spec.WithPlacement("cpu:0-1") with
            {
                Weights = new(ConvNet.Spec.Weights.Select(w => w.Name is "c1" or "c2" ? w with { Sbp = "S(0)" } : w).ToArray()),
                Inputs = new(ConvNet.Spec.Inputs.Select(x => x with { Sbp = "B" }).ToArray()),
            };

        private static (float[] Losses, float[][] Statistics) Train(Func<ConvNet, ConvNet.Training> trainer)
        {
            var model = new ConvNet(seed: 5);
            using var t = trainer(model);
            var losses = Enumerable.Range(0, Steps).Select(s => t.Step(Data.Floats(700 + s % 3, 64, 1, 28, 28), Data.Labels(800 + s % 3, 64, 10))).ToArray();
            return (losses, model.Buffers.Select(b => b.Value.ToArray()).ToArray());
        }

        [Fact]
        public void Four_devices_one_device_and_split_output_channels_give_the_same_losses()
        {
            static Sgd Momentum() => new Sgd(0.01f, momentum: 0.9f);
            var one = Train(m => m.Trainer(Momentum(), "cpu:0"));
            var four = Train(m => m.Trainer(Momentum()));
            var split = Train(m => m.Trainer(Momentum(), OutputChannelsSplit()));
            Agreement.SameLosses(Steps, s => (one.Losses[s], four.Losses[s]), 1e-4);
            Agreement.SameLosses(Steps, s => (one.Losses[s], split.Losses[s]), 1e-4);
        }

        [Fact]
        public void Batch_norms_running_statistics_are_identical_across_those_placements()
        {
            var one = Train(m => m.Trainer(new Sgd(0.01f, momentum: 0.9f), "cpu:0")).Statistics;
            foreach (var other in new[] { Train(m => m.Trainer(new Sgd(0.01f, momentum: 0.9f))).Statistics,
                                          Train(m => m.Trainer(new Sgd(0.01f, momentum: 0.9f), OutputChannelsSplit())).Statistics })
                for (int b = 0; b < one.Length; b++)
                    for (int i = 0; i < one[b].Length; i++)
                        Assert.True(Math.Abs(one[b][i] - other[b][i]) <= 1e-5 * Math.Max(1, Math.Abs(one[b][i])),
                            $"running statistic {b} element {i}: {one[b][i]} on one device, {other[b][i]} on several");
        }

        [NeedsMnistFact]
        public void Cnn_sample_reaches_98_5_percent_in_5_epochs_on_the_held_out_images()
        {
            var (output, lines) = Run($"--data \"{Path.Combine(TestData.Root, "mnist")}\" --epochs 5");
            Assert.Contains("8000 training and 2000 held-out test images", lines[0]);
            Assert.Contains("4 devices", lines[1]);
            Assert.Equal(5, lines.Count(l => l.StartsWith("epoch ")));
            string last = lines[^1].Trim();
            Assert.Matches(@"^test accuracy: 0\.\d{4}$", last);
            Assert.True(double.Parse(last["test accuracy: ".Length..], System.Globalization.CultureInfo.InvariantCulture) >= 0.985, output);
        }

        [Fact]
        public void Cnn_sample_writes_its_plan_chart_and_trace_on_synthetic_data()
        {
            string dir = Directory.CreateTempSubdirectory("oneflow-cnn-").FullName;
            try
            {
                string png = Path.Combine(dir, "loss.png"), trace = Path.Combine(dir, "trace.json"), plan = Path.Combine(dir, "plan.dot");
                var (_, lines) = Run($"--epochs 1 --plot \"{png}\" --trace \"{trace}\" --plan \"{plan}\"");
                Assert.StartsWith("synthetic data", lines[0]);
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(png).Take(8));
                using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(trace));
                Assert.True(json.RootElement.GetProperty("traceEvents").GetArrayLength() > 100);
                Assert.Contains(Directory.GetFiles(dir), f => Path.GetFileName(f).StartsWith("plan.", StringComparison.Ordinal));
                Assert.Matches(@"^test accuracy: [01]\.\d{4}$", lines[^1].Trim());
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static (string Output, string[] Lines) Run(string arguments)
        {
            Assert.True(File.Exists(Dll), $"{Dll} is missing: build the solution in Release first (scripts/test.sh does).");
            var info = new ProcessStartInfo("dotnet", $"\"{Dll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, output + errors.Result);
            return (output, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
