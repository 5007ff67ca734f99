using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace OneFlow.Dsl.CodeFixes
{
    /// <summary>OF0002 and OF0004: replaces an invalid SBP with the nearest valid one for the tensor's rank: an
    /// out-of-range split becomes a split of the last axis; a misspelling becomes the closest of B, S(0)…S(rank−1).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SbpCodeFix)), Shared]
    public sealed class SbpCodeFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("OF0002", "OF0004");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var argument = root?.FindNode(context.Span).AncestorsAndSelf().OfType<AttributeArgumentSyntax>().FirstOrDefault();
            if (root == null || !(argument?.Expression is LiteralExpressionSyntax literal) || !(argument.Parent?.Parent is AttributeSyntax attribute)) return;
            int rank = RankOf(attribute);
            if (rank < 0) return;
            string replacement = Nearest(literal.Token.ValueText, rank);
            context.RegisterCodeFix(CodeAction.Create($"Use Sbp(\"{replacement}\")",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(literal,
                    SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(replacement)).WithTriviaFrom(literal)))),
                nameof(SbpCodeFix)), context.Diagnostics);
        }

        /// <summary>The rank from the sibling [Weight(dims)] or [Input(dims)] (an input also has the batch axis).</summary>
        private static int RankOf(AttributeSyntax sbp)
        {
            var owner = sbp.Parent?.Parent;
            var attributes = owner is FieldDeclarationSyntax f ? f.AttributeLists : owner is ParameterSyntax p ? p.AttributeLists : default;
            foreach (var a in attributes.SelectMany(l => l.Attributes))
            {
                string name = a.Name.ToString();
                int args = a.ArgumentList?.Arguments.Count ?? 0;
                if (name == "Weight" || name == "WeightAttribute" || name.EndsWith(".Weight", StringComparison.Ordinal)) return args;
                if (name == "Input" || name == "InputAttribute" || name.EndsWith(".Input", StringComparison.Ordinal)) return args + 1;
            }
            return -1;
        }

        public static string Nearest(string text, int rank)
        {
            string t = text.Replace(" ", "").ToUpperInvariant();
            if (t.StartsWith("S(", StringComparison.Ordinal) && t.EndsWith(")", StringComparison.Ordinal)
                && int.TryParse(t.Substring(2, t.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out int axis) && axis >= rank)
                return rank == 0 ? "B" : "S(" + (rank - 1).ToString(CultureInfo.InvariantCulture) + ")";
            var candidates = new List<string> { "B" };
            for (int i = 0; i < rank; i++) candidates.Add("S(" + i.ToString(CultureInfo.InvariantCulture) + ")");
            // Compared without brackets, so that "S1" and "s(1)" are nothing but a spelling of S(1).
            return candidates.OrderBy(c => Distance(Bare(t), Bare(c))).First();
        }

        private static string Bare(string sbp) => sbp.Replace("(", "").Replace(")", "");

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
                for (int j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}
