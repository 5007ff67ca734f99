using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>The kernels' fallbacks for CPUs without AVX-512 (the AVX2 micro-kernels) or without AVX2 (the portable
    /// ones) never run on a machine that has both: these tests run the GEMM tests and training equivalence again in a
    /// child test run with the runtime told to leave the instruction sets out (.NET 10's knobs: DOTNET_EnableAVX512, which
    /// replaced .NET 8's DOTNET_EnableAVX512F — that one is now ignored — and DOTNET_EnableAVX2).</summary>
    public class InstructionSetTests
    {
        /// <summary>Holds in the child runs: the instruction sets switched off are off (so the fallbacks really ran).</summary>
        [Fact]
        public void The_instruction_sets_are_those_the_environment_allows()
        {
            if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0") Assert.False(Avx512F.IsSupported);
            if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0") Assert.False(Avx2.IsSupported);
        }

        [Theory]
        [InlineData("AVX-512 off", "DOTNET_EnableAVX512")]
        [InlineData("AVX2 and AVX-512 off", "DOTNET_EnableAVX2")]
        public async System.Threading.Tasks.Task Gemm_and_training_equivalence_pass_without(string what, string variable)
        {
            if (Environment.GetEnvironmentVariable(variable) == "0") return; // the child run itself
            string assembly = typeof(InstructionSetTests).Assembly.Location;
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in new[] { "test", assembly, "--filter",
                         "FullyQualifiedName~GemmTests|FullyQualifiedName~PlanSessionTests|FullyQualifiedName~The_instruction_sets_are" })
                info.ArgumentList.Add(argument);
            info.Environment["DOTNET_EnableAVX512"] = "0";
            info.Environment[variable] = "0";
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{what}:\n{output}{await errors}");
            Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+([1-9]\d+)", output);
        }
    }
}
