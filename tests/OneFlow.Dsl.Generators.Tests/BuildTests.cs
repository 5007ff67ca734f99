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

        /// <summary>A console project that uses the library's built assemblies, with the generator and the Planner
        /// loaded into the compiler, as the NuGet package will arrange.</summary>
        private static string Project()
        {
            string Dll(Type t) => t.Assembly.Location;
            return $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <OutputType>Library</OutputType>
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
