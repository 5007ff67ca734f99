using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The packages as a user meets them: packed into a folder feed, then a fresh console project outside
    /// the repository that references OneFlow.Dsl by PackageReference only builds the README's example (planned at
    /// build time by the packaged generator) and trains it.</summary>
    public sealed class PackageTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"package-{Guid.NewGuid():N}");

        public PackageTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static (int Code, string Output) Dotnet(string arguments, string directory)
        {
            var info = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
            // The repository's build settings must not leak into the user's project.
            info.Environment.Remove("MSBuildExtensionsPath");
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output + errors.Result);
        }

        private const string Project = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <!-- A cache of its own, so that no earlier 0.1.0 stands in for the one just packed. -->
                <RestorePackagesPath>packages</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OneFlow.Dsl" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """;

        private const string NuGetConfig = """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="feed" />
              </packageSources>
            </configuration>
            """;

        /// <summary>The README's example verbatim, trained on a synthetic batch whose class is the brightest quarter.</summary>
        private const string Program = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            var model = new Mlp(seed: 42);
            var train = model.Trainer(new Sgd(lr: 0.1f));
            var random = new Random(1);
            var pixels = new float[64 * 784];
            var labels = new int[64];
            for (int i = 0; i < 64; i++)
            {
                labels[i] = i % 10;
                for (int j = 0; j < 784; j++) pixels[i * 784 + j] = j / 78 == labels[i] ? 1f : (float)random.NextDouble() * 0.1f;
            }
            var x = Tensor.From(pixels, 64, 784);
            var y = Tensor.From(labels, 64);
            float first = train.Step(x, y), last = first;
            for (int step = 1; step < 30; step++) last = train.Step(x, y);
            float[] logits = model.Infer(x).ToArray();
            Console.WriteLine(Mlp.PlanReport.Split('\n')[0]);
            Console.WriteLine($"{logits.Length} logits");
            Console.WriteLine(FormattableString.Invariant($"loss {first:F4} -> {last:F4}"));

            [Network(Batch = 64)]
            [Placement("cpu:0-3")]                 // four devices; "cuda:0-7", "2x4:cuda" (a 2-D mesh) ...
            public partial class Mlp
            {
                [Weight(784, 512), Sbp("S(1)")] Tensor w1;   // column-parallel
                [Weight(512),      Sbp("S(0)")] Tensor b1;
                [Weight(512, 10),  Sbp("S(0)")] Tensor w2;   // row-parallel: its product is P(sum)
                [Weight(10)]                    Tensor b2;   // B by default

                public Tensor Forward([Input(784), Sbp("S(0)")] Tensor x)
                {
                    var h = Relu(MatMul(x, w1) + b1);
                    return MatMul(h, w2) + b2;
                }
            }
            """;

        [Fact]
        public void A_fresh_project_referencing_the_package_builds_and_trains_the_design_example()
        {
            string feed = Path.Combine(_dir, "feed"), app = Path.Combine(_dir, "app");
            foreach (string project in new[] { "src/OneFlow.Dsl/OneFlow.Dsl.csproj", "src/OneFlow.Dsl.Cuda/OneFlow.Dsl.Cuda.csproj", "src/OneFlow.Dsl.Mpi/OneFlow.Dsl.Mpi.csproj" })
            {
                var (code, output) = Dotnet($"pack \"{Path.Combine(TestData.RepositoryRoot, project)}\" -c Release --no-build -o \"{feed}\"", TestData.RepositoryRoot);
                Assert.True(code == 0, $"dotnet pack {project} failed (build the solution in Release first):\n{output}");
            }
            using (var package = ZipFile.OpenRead(Path.Combine(feed, "OneFlow.Dsl.0.1.0.nupkg")))
            {
                var entries = package.Entries.Select(e => e.FullName).ToHashSet();
                foreach (string dll in new[] { "OneFlow.Dsl", "OneFlow.Dsl.Runtime", "OneFlow.Dsl.Planner" }) Assert.Contains($"lib/net10.0/{dll}.dll", entries);
                foreach (string dll in new[] { "OneFlow.Dsl.Generators", "OneFlow.Dsl.Planner", "OneFlow.Dsl.Analyzers" }) Assert.Contains($"analyzers/dotnet/cs/{dll}.dll", entries);
                Assert.Contains("README.md", entries);
                string nuspec = new StreamReader(package.GetEntry("OneFlow.Dsl.nuspec")!.Open()).ReadToEnd();
                Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
                Assert.Contains("<repository type=\"git\"", nuspec);
                Assert.DoesNotContain("OneFlow.Dsl.Runtime\"", nuspec);
            }
            Assert.True(File.Exists(Path.Combine(feed, "OneFlow.Dsl.0.1.0.snupkg")));
            Assert.True(File.Exists(Path.Combine(feed, "OneFlow.Dsl.Cuda.0.1.0.nupkg")));
            Assert.True(File.Exists(Path.Combine(feed, "OneFlow.Dsl.Mpi.0.1.0.nupkg")));

            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "App.csproj"), Project);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
            File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig.Replace("value=\"feed\"", $"value=\"{feed}\""));
            var run = Dotnet("run -c Release", app);
            Assert.True(run.Code == 0, "the fresh project did not build or run:\n" + run.Output);
            var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();
            Assert.Contains("Mlp: training plan on cpu:0-3 (4 devices)", lines);
            Assert.Contains("640 logits", lines);
            var loss = System.Text.RegularExpressions.Regex.Match(run.Output, @"loss (\d+\.\d+) -> (\d+\.\d+)");
            Assert.True(loss.Success, run.Output);
            Assert.True(double.Parse(loss.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) < 0.5 * double.Parse(loss.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), run.Output);
        }
    }
}
