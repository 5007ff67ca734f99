using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>What a user sees: <c>dotnet build</c> of a small project with a planted mistake fails with the
    /// diagnostic at the right file(line,col).</summary>
    public class BuildTests
    {
        [Fact]
        public void Dotnet_build_reports_a_shape_mistake_as_OF0001_at_its_line_and_column()
        {
            string source = Networks.Mlp.Replace("[Weight(784, 512), Sbp(\"S(1)\")]", "[Weight(512, 784), Sbp(\"S(1)\")]");
            string dir = Path.Combine(Path.GetTempPath(), "oneflow-build-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                File.WriteAllText(Path.Combine(dir, "Net.cs"), source);
                File.WriteAllText(Path.Combine(dir, "User.csproj"), Project());
                var (code, output) = Run("dotnet", $"build \"{dir}\" -nologo -v quiet", dir);

                int at = source.IndexOf("MatMul(x, w1)", StringComparison.Ordinal);
                int line = source.Take(at).Count(c => c == '\n') + 1, column = at - source.LastIndexOf('\n', at - 1);
                Assert.NotEqual(0, code);
                Assert.Contains($"Net.cs({line},{column}): error OF0001: MatMul: x is [64,784] but w1 is [512,784]; inner dimensions 784 and 512 differ.", output);
                Assert.DoesNotContain("CS8785", output);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        /// <summary>The README's example, class and usage as written there, in a fresh console project: it builds
        /// without a warning and runs, training and printing the plan report.</summary>
        [Fact]
        public void Design_example_builds_and_runs_in_a_fresh_console_project()
        {
            string program = """
                using OneFlow.Dsl;

                var pixels = new float[64 * 784];
                var labels = new int[64];
                var random = new System.Random(1);
                for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)random.NextDouble();
                for (int i = 0; i < labels.Length; i++) labels[i] = i % 10;

                var model = new Mlp(seed: 42);                    // same seed, same weights, whatever the placement
                var train = model.Trainer(new Sgd(lr: 0.1f));     // generated: forward + backward + update
                var x = Tensor.From(pixels, 64, 784);             // float[] -> [64, 784]
                var y = Tensor.From(labels, 64);                  // int[] class ids -> [64]
                float loss = train.Step(x, y);                    // one training step, returns the mean loss
                float[] logits = model.Infer(x).ToArray();        // inference plan
                Console.WriteLine(Mlp.PlanReport);                // what the planner decided, as text
                for (int i = 0; i < 20; i++) train.Step(x, y);
                Console.WriteLine($"first loss {loss:F4}, last loss {train.Step(x, y):F4}, {logits.Length} logits");
                """;
            string dir = Path.Combine(Path.GetTempPath(), "oneflow-design-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                File.WriteAllText(Path.Combine(dir, "Mlp.cs"), Networks.Mlp);
                File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
                File.WriteAllText(Path.Combine(dir, "User.csproj"), Project("Exe").Replace("<Nullable>enable</Nullable>",
                    "<Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings><TreatWarningsAsErrors>true</TreatWarningsAsErrors>"));
                var (code, output) = Run("dotnet", $"run --project \"{dir}\" -nologo", dir);
                Assert.True(code == 0, output);
                Assert.Contains("all-gather x [64,784]: S(0) -> B", output);
                var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("first loss"));
                var parts = last.Split(' ');
                double first = double.Parse(parts[2].TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture);
                double final = double.Parse(parts[5].TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(final < first * 0.8, last);
                Assert.EndsWith("640 logits", last.Trim());
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        /// <summary>A project that uses the library's built assemblies, with the generator and the Planner
        /// loaded into the compiler, as the NuGet package will arrange.</summary>
        private static string Project(string outputType = "Library")
        {
            string Dll(Type t) => t.Assembly.Location;
            return $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <OutputType>{outputType}</OutputType>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="{Dll(typeof(Tensor))}" />
                    <Reference Include="{Dll(typeof(Planner.NetworkPlanner))}" />
                    <Reference Include="{Dll(typeof(Runtime.PlanSession))}" />
                    <Analyzer Include="{Dll(typeof(NetworkGenerator))}" />
                    <Analyzer Include="{Dll(typeof(Planner.NetworkPlanner))}" />
                  </ItemGroup>
                </Project>
                """;
        }

        private static (int Code, string Output) Run(string file, string arguments, string dir)
        {
            var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
    }
}
