using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>An edit elsewhere in the project must not re-plan a network: every tracked step stays Cached or
    /// Unchanged, and no step output holds a symbol, syntax node or compilation.</summary>
    public class CachingTests
    {
        private const string Unrelated = "class Other { int Method() => 1; }";

        [Fact]
        public void Unrelated_edit_leaves_every_step_cached()
        {
            var compilation = GeneratorHarness.Compilation(Networks.Mlp, Unrelated);
            var driver = GeneratorHarness.Driver().RunGenerators(compilation);

            var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
                CSharpSyntaxTree.ParseText("class Other { int Method() => 2; }", new CSharpParseOptions(LanguageVersion.Latest), path: "Network1.cs"));
            var run = driver.RunGenerators(edited).GetRunResult().Results.Single();

            foreach (string step in new[] { NetworkGenerator.TrackingNames.Model, NetworkGenerator.TrackingNames.Plan })
            {
                var outputs = run.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
                Assert.NotEmpty(outputs);
                Assert.All(outputs, o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
                Assert.All(outputs, o => AssertPlainData(o.Value));
            }
        }

        [Fact]
        public void Editing_the_network_replans_it()
        {
            var compilation = GeneratorHarness.Compilation(Networks.Mlp);
            var driver = GeneratorHarness.Driver().RunGenerators(compilation);
            var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
                CSharpSyntaxTree.ParseText(Networks.Mlp.Replace("Batch = 64", "Batch = 32"), new CSharpParseOptions(LanguageVersion.Latest), path: "Network0.cs"));
            var run = driver.RunGenerators(edited).GetRunResult().Results.Single();
            Assert.Contains(run.TrackedSteps[NetworkGenerator.TrackingNames.Plan].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        }

        /// <summary>A network's plan depends on the modules it holds, which live in other files: editing a module
        /// must re-plan the network that uses it.</summary>
        [Fact]
        public void Editing_a_module_in_its_own_file_replans_the_network_using_it()
        {
            var compilation = GeneratorHarness.Compilation(Networks.Stack, Networks.Layer);
            var driver = GeneratorHarness.Driver().RunGenerators(compilation);
            Assert.DoesNotContain("Gelu", Generated(driver));
            var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
                CSharpSyntaxTree.ParseText(Networks.Layer.Replace("Relu(", "Gelu("), new CSharpParseOptions(LanguageVersion.Latest), path: "Network1.cs"));
            driver = driver.RunGenerators(edited);
            Assert.Contains("\"Gelu\"", Generated(driver));
        }

        private static string Generated(GeneratorDriver driver)
            => string.Join("\n", driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()));

        private static void AssertPlainData(object value)
        {
            foreach (var property in value.GetType().GetProperties())
            {
                object? v = property.GetValue(value);
                Assert.False(v is ISymbol || v is SyntaxNode || v is Compilation || v is SemanticModel,
                    $"{value.GetType().Name}.{property.Name} holds a {v?.GetType().Name}: models must be plain data.");
            }
        }
    }
}
