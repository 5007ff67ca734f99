using System;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Compiles every [Network] class into a static plan at build time: parse → model → Planner → emit.
    /// The plan itself is the cached value of the pipeline, so an unrelated edit re-runs nothing.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        public static class TrackingNames
        {
            public const string Model = nameof(Model);
            public const string Plan = nameof(Plan);
            public const string Module = nameof(Module);
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var planned = context.SyntaxProvider
                .ForAttributeWithMetadataName("OneFlow.Dsl.NetworkAttribute",
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => Guard(ctx.TargetSymbol.Name, () => NetworkParser.Parse(ctx, ct)))
                .WithTrackingName(TrackingNames.Model)
                .Select(static (model, _) => model.Value == null ? new Result<PlannedNetwork>(null, model.Diagnostics)
                    : model.Diagnostics.Count > 0 ? new Result<PlannedNetwork>(PlannedNetwork.Unplanned(model.Value), model.Diagnostics)
                    : Plan(model.Value))
                .WithTrackingName(TrackingNames.Plan);

            context.RegisterSourceOutput(planned.Where(static r => r.Value != null),
                static (spc, result) => spc.AddSource(Hint(result.Value!.Model), NetworkEmitter.Emit(result.Value)));

            var modules = context.SyntaxProvider
                .ForAttributeWithMetadataName("OneFlow.Dsl.ModuleAttribute",
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => FieldReader.ReadModuleClass((INamedTypeSymbol)ctx.TargetSymbol, (ClassDeclarationSyntax)ctx.TargetNode, ct))
                .WithTrackingName(TrackingNames.Module)
                .Where(static m => m != null);
            context.RegisterSourceOutput(modules, static (spc, module) =>
                spc.AddSource((module!.Namespace.Length == 0 ? module.ClassName : module.Namespace + "." + module.ClassName) + ".g.cs", ModuleEmitter.Emit(module)));

            // Diagnostics need locations in the compilation's own trees (or #pragma cannot suppress them), so only
            // this light output looks at the compilation; the parsed model and the plan stay cached.
            var diagnostics = planned.Select(static (r, _) => r.Diagnostics).Where(static d => d.Count > 0).Collect()
                .Combine(context.CompilationProvider);
            context.RegisterSourceOutput(diagnostics, static (spc, pair) =>
            {
                foreach (var list in pair.Left)
                    foreach (var d in list) spc.ReportDiagnostic(ToDiagnostic(d, pair.Right));
            });
        }

        /// <summary>Runs the planner; its complaints become diagnostics at the span of what they name, in the words of
        /// the source (an intermediate value by what was written, not its temporary name). A network that cannot be
        /// planned is still emitted, unplanned, so that its errors are the only ones.</summary>
        internal static Result<PlannedNetwork> Plan(NetworkModel model)
        {
            try
            {
                var train = NetworkPlanner.Compile(model.Spec, PlanMode.Train);
                var infer = NetworkPlanner.Compile(model.Spec, PlanMode.Infer);
                string trainText = PlanText.Write(train);
                var warnings = train.Warnings.Select(w => new DiagnosticInfo(Descriptor(w.Kind).Id, Locate(model, w.Subject), Equatable.Arr(InSourceWords(model, w.Message))));
                return new Result<PlannedNetwork>(
                    new PlannedNetwork(model, trainText, PlanText.Write(infer), PlanReport.Write(train), PlanText.Hash(trainText)),
                    new EquatableArray<DiagnosticInfo>(warnings.ToArray()));
            }
            catch (PlanException e)
            {
                return new Result<PlannedNetwork>(PlannedNetwork.Unplanned(model),
                    Equatable.Arr(new DiagnosticInfo(Descriptor(e.Kind).Id, Locate(model, e.Subject), Equatable.Arr(InSourceWords(model, e.Message)))));
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                return new Result<PlannedNetwork>(PlannedNetwork.Unplanned(model),
                    Equatable.Arr(new DiagnosticInfo(DiagnosticDescriptors.InternalError.Id, model.ClassLocation, Equatable.Arr(model.ClassName, e.GetType().Name + ": " + e.Message))));
            }
        }

        /// <summary>The message with every temporary ("%3") replaced by the source text it stands for.</summary>
        private static string InSourceWords(NetworkModel model, string message)
            => Regex.Replace(message, @"%\d+(?:_\d+)?", m => model.Texts.FirstOrDefault(t => t.Name == m.Value)?.Text ?? m.Value);

        /// <summary>The most precise place known for a subject: "w1:sbp" falls back to "w1", then to the class.</summary>
        private static LocationInfo? Locate(NetworkModel model, string subject)
        {
            var exact = model.Locations.FirstOrDefault(l => l.Name == subject);
            if (exact != null) return exact.Location;
            int colon = subject.IndexOf(':');
            string owner = colon < 0 ? subject : subject.Substring(0, colon);
            return model.Locations.FirstOrDefault(l => l.Name == owner)?.Location ?? model.ClassLocation;
        }

        private static DiagnosticDescriptor Descriptor(PlanErrorKind kind) => kind switch
        {
            PlanErrorKind.ShapeMismatch => DiagnosticDescriptors.ShapeMismatch,
            PlanErrorKind.SbpAxisOutOfRange => DiagnosticDescriptors.SbpAxisOutOfRange,
            PlanErrorKind.SbpSyntax => DiagnosticDescriptors.SbpSyntax,
            PlanErrorKind.NoSignature => DiagnosticDescriptors.NoSignature,
            PlanErrorKind.PlacementSyntax => DiagnosticDescriptors.PlacementSyntax,
            PlanErrorKind.PlacementConflict => DiagnosticDescriptors.PlacementConflict,
            PlanErrorKind.SplitTooSmall => DiagnosticDescriptors.SplitTooSmall,
            PlanErrorKind.UnknownValue => DiagnosticDescriptors.UnsupportedConstruct,
            PlanErrorKind.BadDeclaration => DiagnosticDescriptors.BadDeclaration,
            PlanErrorKind.BadLoss => DiagnosticDescriptors.BadLoss,
            PlanErrorKind.MissingInput => DiagnosticDescriptors.InputWithoutShape,
            PlanErrorKind.MemoryBudget => DiagnosticDescriptors.MemoryBudget,
            _ => DiagnosticDescriptors.InternalError,
        };

        private static DiagnosticDescriptor Descriptor(PlanWarningKind kind)
            => kind == PlanWarningKind.UnevenSplit ? DiagnosticDescriptors.UnevenSplit : DiagnosticDescriptors.UnusedWeight;

        /// <summary>An exception must never reach the compiler: it becomes a diagnostic that names the class.</summary>
        private static Result<T> Guard<T>(string name, Func<Result<T>> stage) where T : class
        {
            try
            {
                return stage();
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                return Result<T>.Fail(new DiagnosticInfo(DiagnosticDescriptors.InternalError.Id, null, Equatable.Arr(name, e.GetType().Name + ": " + e.Message)));
            }
        }

        private static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation compilation)
        {
            var tree = info.Location == null ? null : compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.Location.FilePath);
            var location = tree != null ? Location.Create(tree, new Microsoft.CodeAnalysis.Text.TextSpan(info.Location!.Start, info.Location.Length))
                : info.Location?.ToLocation() ?? Location.None;
            return Diagnostic.Create(DiagnosticDescriptors.ById[info.Id], location, info.Arguments.ToArray<object>());
        }

        private static string Hint(NetworkModel m) => (m.Namespace.Length == 0 ? m.ClassName : m.Namespace + "." + m.ClassName) + ".g.cs";
    }
}
