using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Where the test data lives: $ONEFLOW_DATA, else ../shared/data beside the repository.</summary>
    internal static class TestData
    {
        public static string Root => Environment.GetEnvironmentVariable("ONEFLOW_DATA") is { Length: > 0 } dir
            ? dir
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

        public static string RepositoryRoot
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir != null && !File.Exists(Path.Combine(dir.FullName, "OneFlow.Dsl.sln"))) dir = dir.Parent;
                return dir?.FullName ?? throw new DirectoryNotFoundException("OneFlow.Dsl.sln not found above the test assembly.");
            }
        }
    }

    /// <summary>A fact that is skipped, with its reason, when the MNIST files are not there.</summary>
    public sealed class NeedsMnistFactAttribute : FactAttribute
    {
        public NeedsMnistFactAttribute()
        {
            if (!Directory.Exists(Path.Combine(TestData.Root, "mnist")))
                Skip = $"MNIST is not at {Path.Combine(TestData.Root, "mnist")}; set ONEFLOW_DATA to the folder that holds mnist/.";
        }
    }

    /// <summary>The main job as a user runs it: the Mnist sample, built in Release, on the real data.</summary>
    public class MnistSampleTests
    {
        [NeedsMnistFact]
        public void Mnist_sample_reaches_95_percent_in_10_epochs_on_4_devices()
        {
            string dll = Path.Combine(TestData.RepositoryRoot, "samples", "Mnist", "bin", "Release", "net10.0", "Mnist.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (scripts/test.sh does).");
            var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --data \"{Path.Combine(TestData.Root, "mnist")}\" --epochs 10")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, output + errors);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("4 devices", lines[1]);
            Assert.Equal(10, lines.Count(l => l.StartsWith("epoch ")));
            string last = lines[^1].Trim();
            Assert.Matches(@"^test accuracy: 0\.\d{4}$", last);
            double accuracy = double.Parse(last["test accuracy: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(accuracy >= 0.95, output);
        }

        /// <summary><c>--plot</c> writes a PNG chart, <c>--trace</c> a Chrome trace, <c>--save</c> the weights and
        /// <c>--export</c> an ONNX model, and the last line stays the contract's.</summary>
        [Fact]
        public void Mnist_sample_writes_its_chart_and_trace()
        {
            string dll = Path.Combine(TestData.RepositoryRoot, "samples", "Mnist", "bin", "Release", "net10.0", "Mnist.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (scripts/test.sh does).");
            string dir = Directory.CreateTempSubdirectory("oneflow-mnist-").FullName;
            try
            {
                string png = Path.Combine(dir, "loss.png"), trace = Path.Combine(dir, "trace.json");
                string weights = Path.Combine(dir, "mlp.safetensors"), onnx = Path.Combine(dir, "mlp.onnx");
                var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --epochs 1 --plot \"{png}\" --trace \"{trace}\" --save \"{weights}\" --export \"{onnx}\"")
                    { RedirectStandardOutput = true, RedirectStandardError = true };
                using var process = Process.Start(info)!;
                string stdout = process.StandardOutput.ReadToEnd(), output = stdout + process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, output);
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(png).Take(8));
                using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(trace));
                Assert.True(json.RootElement.GetProperty("traceEvents").GetArrayLength() > 100);
                Assert.Matches(@"^test accuracy: [01]\.\d{4}$", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim());
                // The saved weights load into the same network; the ONNX model holds them under the same names.
                new Mlp(seed: 1).LoadWeights(weights);
                var exported = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
                Assert.Equal(new[] { "w1", "b1", "w2", "b2" }, exported.Graph.Initializer.Select(t => t.Name).Take(4));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        /// <summary>MPI spreads CPU devices over processes; the GPU backend runs in one: asking for both is refused at start
        /// (it trained on CPU while saying so little).</summary>
        [Fact]
        public void Mpi_with_cuda_is_refused_at_start_saying_what_works()
        {
            string dll = Path.Combine(TestData.RepositoryRoot, "samples", "Mnist", "bin", "Release", "net10.0", "Mnist.dll");
            var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --mpi --device cuda") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("use --device cuda without --mpi", errors);
        }
    }
}
