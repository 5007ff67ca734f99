using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>samples/Serve published with NativeAOT, as a user deploys it: no trimming or AOT warning from the library
    /// (warnings are errors in the build), and its answers are Infer's, through OneFlow.Dsl and through ONNX Runtime on
    /// the exported model.</summary>
    public class ServeSampleTests
    {
        private const float Mean = 0.1307f, Deviation = 0.3081f;

        [Fact]
        public void The_native_app_answers_as_infer_does()
        {
            string dir = Directory.CreateTempSubdirectory("oneflow-serve-").FullName;
            try
            {
                string app = Publish(Path.Combine(dir, "app"));
                // The sample's network is the README's MLP: the same names and shapes as this one.
                var model = new Mlp(seed: 7);
                foreach (var (_, w) in model.NamedParameters) w.CopyFrom(Data.Floats((int)w.Length, (int)w.Length).ToArray().Select(v => v * 0.2f).ToArray());
                string weights = Path.Combine(dir, "mlp.safetensors"), onnx = Path.Combine(dir, "mlp.onnx"), images = Path.Combine(dir, "images.txt");
                model.SaveWeights(weights);
                model.ExportOnnx(onnx);
                var random = new Random(3);
                var pixels = Enumerable.Range(0, 12 * 784).Select(_ => random.Next(256)).ToArray();
                // Two batches: five images, a blank line, seven.
                var lines = Enumerable.Range(0, 12).Select(r => string.Join(r % 2 == 0 ? " " : ",", pixels.Skip(r * 784).Take(784))).ToList();
                lines.Insert(5, "");
                File.WriteAllLines(images, lines);

                var standardised = pixels.Select(p => (p / 255f - Mean) / Deviation).ToArray();
                float[] logits = model.Infer(Tensor.From(standardised, 12, 784)).ToArray();
                var expected = Enumerable.Range(0, 12).Select(r => Array.IndexOf(logits, logits.Skip(r * 10).Take(10).Max(), r * 10) - r * 10).ToArray();
                Assert.True(expected.Distinct().Count() > 2, "the weights tell the images apart");

                Assert.Equal(expected, Answers(app, $"--weights \"{weights}\" \"{images}\""));
                Assert.Equal(expected, Answers(app, $"--onnx \"{onnx}\" \"{images}\""));
                var (output, errors, code) = Start(app, $"--weights \"{Path.Combine(dir, "none.safetensors")}\"");
                Assert.Equal(2, code);
                Assert.Contains("none.safetensors", errors + output);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static int[] Answers(string app, string arguments)
        {
            var (output, errors, code) = Start(app, arguments);
            Assert.True(code == 0, output + errors);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        }

        /// <summary>dotnet publish of samples/Serve (PublishAot) into <paramref name="folder"/>; the native executable.</summary>
        private static string Publish(string folder)
        {
            string project = Path.Combine(TestData.RepositoryRoot, "samples", "Serve", "Serve.csproj");
            var (output, errors, code) = Start("dotnet", $"publish \"{project}\" -c Release -r linux-x64 -o \"{folder}\" -nologo");
            Assert.True(code == 0, output + errors);
            Assert.DoesNotContain("warning IL", output);
            string app = Path.Combine(folder, "Serve");
            Assert.True(File.Exists(app), output);
            Assert.False(File.Exists(Path.Combine(folder, "Serve.dll")), "a native executable, not a managed assembly");
            return app;
        }

        private static (string Output, string Errors, int Code) Start(string file, string arguments)
        {
            var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (output, errors.Result, process.ExitCode);
        }
    }
}
