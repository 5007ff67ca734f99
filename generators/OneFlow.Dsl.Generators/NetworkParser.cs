using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Optimizers;
using static OneFlow.Dsl.Generators.FieldReader;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Reads a [Network] class (its attributes, weight and module fields, Forward and optional Loss) into a
    /// <see cref="NetworkModel"/>. All semantic work happens here; nothing Roslyn leaves this class.</summary>
    internal static class NetworkParser
    {
        public static Result<NetworkModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (ClassDeclarationSyntax)context.TargetNode;
            // The analyzer reports a class that is not partial; the generator has nothing to add to it.
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword)) return Result<NetworkModel>.Fail();

            var diagnostics = new List<DiagnosticInfo>();
            var locations = new List<NamedLocation>();
            var used = new HashSet<string>();
            var scope = new Scope("");
            var values = scope.Values;

            int batch = 1, micro = 1;
            var update = UpdateRule.Sgd;
            bool clip = false;
            string? budget = null;
            foreach (var named in context.Attributes[0].NamedArguments)
            {
                if (named.Key == "MemoryBudget" && named.Value.Value is string mb) budget = mb;
                if (named.Key == "Batch" && named.Value.Value is int b) batch = b;
                if (named.Key == "MicroBatches" && named.Value.Value is int m) micro = m;
                if (named.Key == "Optimizer" && UpdateRules.FromAttributeName(EnumMemberName(named.Value)) is { } rule) update = rule.Rule;
                if (named.Key == "ClipsGradients" && named.Value.Value is bool c) clip = c;
            }
            var network = context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellation) as AttributeSyntax;
            Add(locations, "Batch", (network?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Batch") ?? (SyntaxNode?)network)?.GetLocation());
            Add(locations, "MicroBatches", (network?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "MicroBatches") ?? (SyntaxNode?)network)?.GetLocation());
            Add(locations, "MemoryBudget", (network?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "MemoryBudget") ?? (SyntaxNode?)network)?.GetLocation());
            long budgetBytes = 0;
            if (budget != null && !ByteSize.TryParse(budget, out budgetBytes))
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.BadDeclaration.Id, locations.FirstOrDefault(l => l.Name == "MemoryBudget")?.Location,
                    Equatable.Arr($"MemoryBudget \"{budget}\" is not a size; write it as \"512 MiB\", \"1.5 GiB\" or \"800 KiB\".")));
            var placementAttr = Attribute(type, "PlacementAttribute");
            string placement = placementAttr?.ConstructorArguments.FirstOrDefault().Value as string ?? "cpu:0";
            Add(locations, "Placement", ArgumentLocation(placementAttr, cancellation));

            var weights = new List<TensorDecl>();
            var modules = new List<ModuleField>();
            new FieldReader(weights, used, locations, diagnostics, cancellation).Read(type, scope, null, modules);

            var texts = new List<NamedText>();
            string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            NetworkModel Model(NetworkSpec spec, IEnumerable<string> inputNames) => new NetworkModel(ns, type.Name, Accessibility(type), spec,
                new EquatableArray<string>(inputNames.ToArray()), new EquatableArray<NamedLocation>(locations.ToArray()), LocationInfo.From(syntax.Identifier.GetLocation()))
            {
                Modules = new EquatableArray<ModuleField>(modules.ToArray()),
                Texts = new EquatableArray<NamedText>(texts.ToArray()),
            };

            var forward = Single(type, "Forward", syntax, diagnostics, required: true);
            if (forward == null)
                return new Result<NetworkModel>(Model(Unplannable(type.Name, batch, placement, weights), new string[0]) with { HasForward = false },
                    new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
            var inputs = new List<TensorDecl>();
            foreach (var p in forward.Symbol.Parameters)
            {
                var input = Attribute(p, "InputAttribute");
                if (input == null || Dims(input).Count == 0)
                {
                    diagnostics.Add(Error(DiagnosticDescriptors.InputWithoutShape, p.Locations.FirstOrDefault(),
                        $"Forward: parameter '{p.Name}' needs its shape without the batch dimension, e.g. [Input(784)]."));
                    continue;
                }
                var kind = Attribute(p, "IdsAttribute") != null ? DeclKind.Ids : DeclKind.Input;
                inputs.Add(new TensorDecl(p.Name, kind, Dims(input), SbpOf(p)) { Placement = PlacementOf(p) });
                values[p.Name] = p.Name;
                used.Add(p.Name);
                AddDeclaration(locations, p.Name, p, input, cancellation);
            }
            used.Add(NetworkSpec.LabelsName);

            var model = context.SemanticModel;
            var forwardBody = new ForwardTranslator(model, "Forward", scope, used, locations, diagnostics, texts);
            string? output = forwardBody.Translate(forward.Syntax);
            Add(locations, "Forward", forward.Symbol.Locations.FirstOrDefault());

            var lossOps = NetworkSpec.DefaultLoss(output ?? "");
            string lossOutput = "loss";
            var labelDims = EquatableArray<int>.Empty;
            bool labelIds = false;
            var loss = Single(type, "Loss", syntax, diagnostics, required: false);
            if (loss != null && output != null)
            {
                if (loss.Symbol.Parameters.Length != 2)
                    diagnostics.Add(Error(DiagnosticDescriptors.BadLoss, loss.Symbol.Locations.FirstOrDefault(),
                        "Loss must take (Tensor output, Tensor labels) and return a scalar tensor; the labels are class ids for SoftmaxCrossEntropy (or marked [Ids]) and float targets otherwise, of the shape [Input(...)] declares."));
                else
                {
                    values[loss.Symbol.Parameters[0].Name] = output;
                    values[loss.Symbol.Parameters[1].Name] = NetworkSpec.LabelsName;
                    if (Attribute(loss.Symbol.Parameters[1], "InputAttribute") is AttributeData labelShape) labelDims = Dims(labelShape);
                    labelIds = Attribute(loss.Symbol.Parameters[1], "IdsAttribute") != null;
                    var lossBody = new ForwardTranslator(model, "Loss", scope, used, locations, diagnostics, texts);
                    lossOutput = lossBody.Translate(loss.Syntax) ?? "";
                    lossOps = new EquatableArray<OpDecl>(lossBody.Statements.ToArray());
                }
                Add(locations, "Loss", loss.Symbol.Locations.FirstOrDefault());
            }
            CheckLayouts(weights.Concat(inputs), placement, locations, diagnostics);
            var spec = new NetworkSpec(type.Name, batch, placement, new EquatableArray<TensorDecl>(weights.ToArray()),
                new EquatableArray<TensorDecl>(inputs.ToArray()), new EquatableArray<OpDecl>(forwardBody.Statements.ToArray()),
                output ?? "", lossOps, lossOutput) { LabelDims = labelDims, LabelIds = labelIds, MicroBatches = micro, Update = update, Clip = clip, MemoryBudget = budgetBytes };
            return new Result<NetworkModel>(Model(spec, inputs.Select(i => i.Name)), new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }

        /// <summary>The spec of a class that cannot be planned: its weights, for the constructor the emitter still writes.</summary>
        private static NetworkSpec Unplannable(string name, int batch, string placement, List<TensorDecl> weights)
            => new NetworkSpec(name, batch, placement, new EquatableArray<TensorDecl>(weights.ToArray()), EquatableArray<TensorDecl>.Empty,
                EquatableArray<OpDecl>.Empty, "", EquatableArray<OpDecl>.Empty, "");

        /// <summary>Every SBP and placement string that does not parse, all of them in one build (the planner would stop
        /// at the first).</summary>
        private static void CheckLayouts(IEnumerable<TensorDecl> declared, string placement, List<NamedLocation> locations, List<DiagnosticInfo> diagnostics)
        {
            LocationInfo? At(string subject) => locations.FirstOrDefault(l => l.Name == subject)?.Location ?? locations.FirstOrDefault(l => l.Name == subject.Split(':')[0])?.Location;
            if (!Placement.TryParse(placement, out _, out string error))
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.PlacementSyntax.Id, At("Placement"), Equatable.Arr(error)));
            foreach (var d in declared)
            {
                if (d.Sbp != null && !NdSbp.TryParse(d.Sbp, out _))
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.SbpSyntax.Id, At(d.Name + ":sbp"),
                        Equatable.Arr($"Sbp(\"{d.Sbp}\") on {d.Name} does not parse: write \"S(axis)\", \"B\" or \"P\".")));
                if (d.Placement != null && !Placement.TryParse(d.Placement, out _, out string placementError))
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.PlacementSyntax.Id, At(d.Name + ":placement"), Equatable.Arr($"{d.Name}: {placementError}")));
            }
        }

        private sealed class Method
        {
            public IMethodSymbol Symbol = null!;
            public MethodDeclarationSyntax Syntax = null!;
        }

        private static Method? Single(INamedTypeSymbol type, string name, ClassDeclarationSyntax at, List<DiagnosticInfo> diagnostics, bool required)
        {
            var methods = type.GetMembers(name).OfType<IMethodSymbol>().ToList();
            if (methods.Count == 0)
            {
                if (required)
                    diagnostics.Add(Error(DiagnosticDescriptors.ForwardMissing, at.Identifier.GetLocation(),
                        $"Network '{type.Name}' needs a method 'public Tensor {name}([Input(...)] Tensor x)'."));
                return null;
            }
            if (methods.Count > 1)
            {
                diagnostics.Add(Error(name == "Forward" ? DiagnosticDescriptors.ForwardMissing : DiagnosticDescriptors.BadLoss,
                    methods[1].Locations.FirstOrDefault(), $"Network '{type.Name}' declares {name} more than once; keep one."));
                return null;
            }
            var syntax = methods[0].DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as MethodDeclarationSyntax;
            return syntax == null ? null : new Method { Symbol = methods[0], Syntax = syntax };
        }

        /// <summary>The name of the enum member an attribute argument holds: the optimizer is read by name, never by its number.</summary>
        private static string EnumMemberName(TypedConstant value)
            => value.Type?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value.Value))?.Name ?? "";

        private static string Accessibility(INamedTypeSymbol type)
            => type.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public ? "public" : "internal";

        private static DiagnosticInfo Error(DiagnosticDescriptor descriptor, Location? location, params string[] args)
            => new DiagnosticInfo(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(args));
    }
}
