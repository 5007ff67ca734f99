using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using OneFlow.Dsl.Generators;

namespace OneFlow.Dsl.Analyzers
{
    /// <summary>OF0003: a [Network] class must be partial, or the generator cannot add its plan; a [Module] class, or it
    /// cannot add the constructor its networks call.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PartialNetworkAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(DiagnosticDescriptors.NotPartial);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
        }

        private static void Analyze(SymbolAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            bool network = Has(type, "OneFlow.Dsl.NetworkAttribute");
            if (!network && !Has(type, "OneFlow.Dsl.ModuleAttribute")) return;
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(context.CancellationToken) is ClassDeclarationSyntax syntax && !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotPartial, syntax.Identifier.GetLocation(), type.Name,
                        network ? "Network" : "Module", network ? "plan and entry points" : "constructor and weight list"));
            }
        }

        private static bool Has(INamedTypeSymbol type, string attribute) => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);
    }
}
