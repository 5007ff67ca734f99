using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OneFlow.Dsl.Analyzers
{
    /// <summary>A network's or module's weights, buffers and module fields are assigned by the constructor the generator
    /// writes, which the compiler's flow analysis of the user's file cannot see: its "never assigned" (CS0649) and
    /// "non-nullable field uninitialised" (CS8618) warnings on them are noise, and are suppressed.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GeneratedFieldSuppressor : DiagnosticSuppressor
    {
        private static readonly SuppressionDescriptor NeverAssigned = new SuppressionDescriptor("OFS0649", "CS0649",
            "The generated constructor assigns the network's weights, buffers and modules.");
        private static readonly SuppressionDescriptor Uninitialised = new SuppressionDescriptor("OFS8618", "CS8618",
            "The generated constructor initialises the network's weights, buffers and modules.");

        public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions => ImmutableArray.Create(NeverAssigned, Uninitialised);

        public override void ReportSuppressions(SuppressionAnalysisContext context)
        {
            foreach (var diagnostic in context.ReportedDiagnostics)
            {
                var tree = diagnostic.Location.SourceTree;
                if (tree == null) continue;
                var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
                var model = context.GetSemanticModel(tree);
                var field = model.GetDeclaredSymbol(node, context.CancellationToken) as IFieldSymbol
                            ?? node.DescendantNodesAndSelf().Select(n => model.GetDeclaredSymbol(n, context.CancellationToken)).OfType<IFieldSymbol>().FirstOrDefault();
                if (field == null || !Generated(field)) continue;
                context.ReportSuppression(Suppression.Create(diagnostic.Id == "CS0649" ? NeverAssigned : Uninitialised, diagnostic));
            }
        }

        /// <summary>A [Weight] or [Buffer] field, or a field of a [Module] type, in a [Network] or [Module] class.</summary>
        private static bool Generated(IFieldSymbol field)
        {
            var owner = field.ContainingType;
            if (!Has(owner, "NetworkAttribute") && !Has(owner, "ModuleAttribute")) return false;
            if (Has(field, "WeightAttribute") || Has(field, "BufferAttribute")) return true;
            var element = field.Type is IArrayTypeSymbol array ? array.ElementType : field.Type;
            return Has(element, "ModuleAttribute");
        }

        private static bool Has(ISymbol symbol, string attribute)
            => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "OneFlow.Dsl." + attribute);
    }
}
