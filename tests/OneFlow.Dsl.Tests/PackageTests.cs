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
    /// build time by the packaged generator) and trains it, and what a new user tries in the first hour.</summary>
    public sealed class PackageTests : IClassFixture<PackageTests.Feed>
    {
        /// <summary>The three packages packed once into a folder feed for the tests of this class.</summary>
        public sealed class Feed : IDisposable
        {
            public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"package-{Guid.NewGuid():N}");

            public string Packages => Path.Combine(Directory, "feed");

            public Feed()
            {
                foreach (string project in new[] { "src/OneFlow.Dsl/OneFlow.Dsl.csproj", "src/OneFlow.Dsl.Cuda/OneFlow.Dsl.Cuda.csproj", "src/OneFlow.Dsl.Mpi/OneFlow.Dsl.Mpi.csproj" })
                {
                    var (code, output) = Dotnet($"pack \"{Path.Combine(TestData.RepositoryRoot, project)}\" -c Release --no-build -o \"{Packages}\"", TestData.RepositoryRoot);
                    Assert.True(code == 0, $"dotnet pack {project} failed (build the solution in Release first):\n{output}");
                }
            }

            /// <summary>A fresh console project outside the repository, referencing OneFlow.Dsl from the feed, with these sources.</summary>
            public string App(string name, params (string File, string Text)[] sources)
            {
                string app = Path.Combine(Directory, name);
                System.IO.Directory.CreateDirectory(app);
                File.WriteAllText(Path.Combine(app, "App.csproj"), Project);
                File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig.Replace("value=\"feed\"", $"value=\"{Packages}\""));
                foreach (var (file, text) in sources) File.WriteAllText(Path.Combine(app, file), text);
                return app;
            }

            public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
        }

        private readonly Feed _feed;

        public PackageTests(Feed feed) => _feed = feed;

        internal static (int Code, string Output) Dotnet(string arguments, string directory)
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
            FirstHour.Run();

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

        /// <summary>What a new user tries in the first hour (issue "The first hour of a real user"): a regression from
        /// two inputs with MseLoss on float targets, the same loss written out, Infer at 1, 7 and 100 rows on four
        /// devices, and dropout in Infer, eval and train mode.</summary>
        private const string FirstHour = """
            using OneFlow.Dsl;
            using static OneFlow.Dsl.Ops;

            static class FirstHour
            {
                static readonly Tensor A = Tensor.Randn(100, 8, 3) * 0.5f, B = Tensor.Randn(101, 4, 3) * 0.5f;

                /// <summary>A linear teacher of both inputs.</summary>
                static (Tensor X, Tensor Z, Tensor Target) Batch(int seed, int rows)
                {
                    var x = Tensor.Randn(seed, rows, 8) * 0.5f;
                    var z = Tensor.Randn(seed + 1, rows, 4) * 0.5f;
                    return (x, z, Tensor.From((MatMul(x, A) + MatMul(z, B)).ToArray(), rows, 3));
                }

                public static void Run()
                {
                    using var mse = new Regression(seed: 1).Trainer(new Adam(0.01f));
                    using var composed = new ComposedRegression(seed: 1).Trainer(new Adam(0.01f));
                    float first = 0, last = 0, gap = 0;
                    for (int step = 0; step < 300; step++)
                    {
                        var (x, z, target) = Batch(step, 16);
                        last = mse.Step(x, z, target);
                        gap = Math.Max(gap, Math.Abs(last - composed.Step(x, z, target)));
                        if (step == 0) first = last;
                    }
                    Console.WriteLine(FormattableString.Invariant($"regression loss {first:F4} -> {last:F4}, composed within {gap:E1}"));
                    var model = new Regression(seed: 2);
                    foreach (int rows in new[] { 1, 7, 100 })
                    {
                        var (x, z, _) = Batch(500 + rows, rows);
                        double difference = model.Forward(x, z).ToArray().Zip(model.Infer(x, z).ToArray(), (u, v) => (double)Math.Abs(u - v)).Max();
                        Console.WriteLine(FormattableString.Invariant($"infer {rows} rows: {difference:E1} from eager"));
                    }
                    var net = new Dropped(seed: 3);
                    var input = Tensor.Ones(8, 12);
                    float[] inferred = net.Infer(input).ToArray();
                    net.Eval();
                    bool evalKeeps = net.Forward(input).ToArray().Zip(inferred, (u, v) => Math.Abs(u - v) < 1e-5).All(same => same);
                    net.Train();
                    bool trainDrops = !net.Forward(input).ToArray().SequenceEqual(net.Forward(input).ToArray());
                    Console.WriteLine($"dropout: eval as infer {evalKeeps}, train drops {trainDrops}");
                }
            }

            [Network(Batch = 16)]
            [Placement("cpu:0-3")]
            public partial class Regression
            {
                [Weight(8, 16)] Tensor w1;
                [Weight(4, 16)] Tensor w2;
                [Weight(16, 3)] Tensor head;

                public Tensor Forward([Input(8)] Tensor x, [Input(4)] Tensor z) => MatMul(Tanh(MatMul(x, w1) + MatMul(z, w2)), head);

                public Tensor Loss(Tensor y, [Input(3)] Tensor target) => MseLoss(y, target);
            }

            [Network(Batch = 16)]
            [Placement("cpu:0-3")]
            public partial class ComposedRegression
            {
                [Weight(8, 16)] Tensor w1;
                [Weight(4, 16)] Tensor w2;
                [Weight(16, 3)] Tensor head;

                public Tensor Forward([Input(8)] Tensor x, [Input(4)] Tensor z) => MatMul(Tanh(MatMul(x, w1) + MatMul(z, w2)), head);

                public Tensor Loss(Tensor y, [Input(3)] Tensor target)
                {
                    var d = y - target;
                    return Mean(Mean(d * d));
                }
            }

            [Network(Batch = 8)]
            [Placement("cpu:0-3")]
            public partial class Dropped
            {
                [Weight(12, 16)] Tensor w1;
                [Weight(16, 4)] Tensor w2;

                public Tensor Forward([Input(12)] Tensor x) => MatMul(Dropout(Relu(MatMul(x, w1)), 0.5), w2);
            }
            """;

        [Fact]
        public void A_fresh_project_referencing_the_package_builds_and_trains_the_design_example()
        {
            string feed = _feed.Packages;
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

            string app = _feed.App("app", ("Program.cs", Program), ("FirstHour.cs", FirstHour));
            var run = Dotnet("run -c Release", app);
            Assert.True(run.Code == 0, "the fresh project did not build or run:\n" + run.Output);
            var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();
            Assert.Contains("Mlp: training plan on cpu:0-3 (4 devices)", lines);
            Assert.Contains("640 logits", lines);
            var loss = System.Text.RegularExpressions.Regex.Match(run.Output, @"loss (\d+\.\d+) -> (\d+\.\d+)");
            Assert.True(loss.Success, run.Output);
            Assert.True(double.Parse(loss.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) < 0.5 * double.Parse(loss.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), run.Output);

            var regression = System.Text.RegularExpressions.Regex.Match(run.Output, @"regression loss (\d+\.\d+) -> (\d+\.\d+), composed within (\S+)");
            Assert.True(regression.Success, run.Output);
            double Number(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Number(regression.Groups[2].Value) < 0.05 && Number(regression.Groups[2].Value) < Number(regression.Groups[1].Value) / 20, run.Output);
            Assert.True(Number(regression.Groups[3].Value) < 1e-3, run.Output);
            foreach (int rows in new[] { 1, 7, 100 })
            {
                var infer = System.Text.RegularExpressions.Regex.Match(run.Output, $@"infer {rows} rows: (\S+) from eager");
                Assert.True(infer.Success && Number(infer.Groups[1].Value) < 1e-5, run.Output);
            }
            Assert.Contains("dropout: eval as infer True, train drops True", lines);
        }

        /// <summary>docs/getting-started.md as a newcomer follows it: each C# block of the page is the Program.cs of a
        /// fresh project on the packed feed, run as the page says (the classifier on the MNIST files).</summary>
        [NeedsMnistFact]
        public void The_getting_started_page_runs_verbatim()
        {
            string page = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "getting-started.md"));
            var blocks = System.Text.RegularExpressions.Regex.Matches(page, "```csharp\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
                .Select(m => m.Groups[1].Value).ToArray();
            Assert.Equal(2, blocks.Length);
            var classifier = Dotnet($"run -c Release -- \"{Path.Combine(TestData.Root, "mnist")}\"", _feed.App("classifier", ("Program.cs", blocks[0])));
            Assert.True(classifier.Code == 0, classifier.Output);
            var accuracy = System.Text.RegularExpressions.Regex.Match(classifier.Output, @"accuracy on 2,000 unseen images: (\d+\.\d) %");
            Assert.True(accuracy.Success && double.Parse(accuracy.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 85, classifier.Output);
            var regression = Dotnet("run -c Release", _feed.App("regression", ("Program.cs", blocks[1])));
            Assert.True(regression.Code == 0, regression.Output);
            var mse = System.Text.RegularExpressions.Regex.Matches(regression.Output, @"mse (\d+\.\d+)").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.True(mse.Length == 6 && mse[^1] < mse[0] / 10, regression.Output);
            Assert.Contains("Tensor[1,1] [[", regression.Output);
        }
    }
}
