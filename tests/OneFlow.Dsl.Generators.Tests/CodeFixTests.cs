using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using OneFlow.Dsl.CodeFixes;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>The obvious fixes: make the class partial; replace an invalid SBP with the nearest valid one. Each
    /// fix is applied and the result must then plan with no diagnostic.</summary>
    public class CodeFixTests
    {
        [Fact]
        public void Makes_the_class_partial()
        {
            string source = Networks.Mlp.Replace("public partial class Mlp", "public class Mlp");
            var diagnostic = GeneratorHarness.Analyze(source).Single(d => d.Id == "OF0003");
            string fixedSource = Apply(new MakePartialCodeFix(), source, diagnostic);
            Assert.Contains("public partial class Mlp", fixedSource);
            Assert.Empty(GeneratorHarness.Analyze(fixedSource));
        }

        [Theory]
        [InlineData("S(7)", "S(1)", "OF0002")]
        [InlineData("s(1)", "S(1)", "OF0004")]
        [InlineData("S1", "S(1)", "OF0004")]
        [InlineData("b", "B", "OF0004")]
        public void Replaces_an_invalid_sbp_with_the_nearest_valid_one(string wrong, string right, string id)
        {
            string source = Networks.Mlp.Replace("Sbp(\"S(1)\")] Tensor w1", $"Sbp(\"{wrong}\")] Tensor w1");
            var (_, diagnostics, _) = GeneratorHarness.Generate(source);
            string fixedSource = Apply(new SbpCodeFix(), source, diagnostics.Single(d => d.Id == id));
            Assert.Contains($"Sbp(\"{right}\")] Tensor w1", fixedSource);
            var (_, after, _) = GeneratorHarness.Generate(fixedSource);
            Assert.DoesNotContain(after, d => d.Id.StartsWith("OF") && d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void Input_rank_counts_the_batch_axis()
        {
            Assert.Equal("S(1)", SbpCodeFix.Nearest("S(5)", 2));
            Assert.Equal("B", SbpCodeFix.Nearest("S(0)", 0));
        }

        private static string Apply(CodeFixProvider provider, string source, Diagnostic diagnostic)
        {
            var workspace = new AdhocWorkspace();
            var project = workspace.AddProject("User", LanguageNames.CSharp);
            var document = workspace.AddDocument(project.Id, "Network0.cs", SourceText.From(source));
            var tree = document.GetSyntaxTreeAsync().Result!;
            var located = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.GetMessage());
            var actions = new List<CodeAction>();
            provider.RegisterCodeFixesAsync(new CodeFixContext(document, located, (a, _) => actions.Add(a), CancellationToken.None)).Wait();
            var operation = Assert.Single(actions).GetOperationsAsync(CancellationToken.None).Result.OfType<ApplyChangesOperation>().Single();
            return operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync().Result.ToString();
        }
    }
}
