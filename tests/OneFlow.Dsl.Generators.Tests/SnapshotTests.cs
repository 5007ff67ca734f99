using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>The generated source, compared with the checked-in <c>Snapshots/*.verified.cs</c>. On a difference
    /// the new output is written beside it as <c>*.received.cs</c>; set ONEFLOW_ACCEPT=1 to accept it.</summary>
    public class SnapshotTests
    {
        [Theory]
        [InlineData("Mlp", Networks.Mlp)]
        [InlineData("Gated", Networks.Gated)]
        public void Generated_source_matches_snapshot(string name, string source)
        {
            var (output, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            var generated = Assert.Single(run.GeneratedTrees);
            Verify(name, generated.ToString());
        }

        /// <summary>A network of repeated modules: the module's own half (constructor by path, weights by path) and
        /// the network's (modules created in its constructor, weights gathered from them).</summary>
        [Fact]
        public void Generated_sources_of_a_network_of_modules_match_snapshots()
        {
            var (_, diagnostics, run) = GeneratorHarness.Generate(Networks.Stack, Networks.Layer);
            Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            var trees = run.GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => t.ToString());
            Verify("Stack", trees["Models.Stack.g.cs"]);
            Verify("Layer", trees["Models.Layer.g.cs"]);
        }

        private static void Verify(string name, string actual, [CallerFilePath] string here = "")
        {
            string dir = Path.Combine(Path.GetDirectoryName(here)!, "Snapshots");
            string verified = Path.Combine(dir, name + ".verified.cs"), received = Path.Combine(dir, name + ".received.cs");
            string expected = File.Exists(verified) ? File.ReadAllText(verified) : "";
            if (expected == actual) { File.Delete(received); return; }
            if (Environment.GetEnvironmentVariable("ONEFLOW_ACCEPT") == "1") { File.WriteAllText(verified, actual); return; }
            File.WriteAllText(received, actual);
            var diff = InlineDiffBuilder.Diff(expected, actual).Lines
                .Where(l => l.Type != ChangeType.Unchanged).Take(20)
                .Select(l => (l.Type == ChangeType.Inserted ? "+ " : "- ") + l.Text);
            Assert.Fail($"Generated source of {name} differs from {verified} (new output in {received}; ONEFLOW_ACCEPT=1 accepts it):\n" + string.Join("\n", diff));
        }
    }
}
