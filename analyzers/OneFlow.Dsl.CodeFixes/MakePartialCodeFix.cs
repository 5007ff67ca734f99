using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace OneFlow.Dsl.CodeFixes
{
    /// <summary>OF0003: adds <c>partial</c> to a network class.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
    public sealed class MakePartialCodeFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("OF0003");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var type = root?.FindToken(context.Span.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
            if (root == null || type == null) return;
            context.RegisterCodeFix(CodeAction.Create("Make the class partial",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(type, type.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword))))),
                nameof(MakePartialCodeFix)), context.Diagnostics);
        }
    }
}
