using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;
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
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var planned = context.SyntaxProvider
                .ForAttributeWithMetadataName("OneFlow.Dsl.NetworkAttribute",
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => Guard(ctx.TargetSymbol.Name, () => NetworkParser.Parse(ctx, ct)))
                .WithTrackingName(TrackingNames.Model)
                .Select(static (model, _) => model.Value == null
                    ? new Result<PlannedNetwork>(null, model.Diagnostics)
                    : Guard(model.Value.ClassName, () => Plan(model.Value)))
                .WithTrackingName(TrackingNames.Plan);

            context.RegisterSourceOutput(planned, static (spc, result) =>
            {
                foreach (var d in result.Diagnostics) spc.ReportDiagnostic(ToDiagnostic(d));
                if (result.Value != null)
                    spc.AddSource(Hint(result.Value.Model), NetworkEmitter.Emit(result.Value));
            });
        }

        /// <summary>Runs the planner; its complaints become diagnostics at the span of what they name.</summary>
        internal static Result<PlannedNetwork> Plan(NetworkModel model)
        {
            try
            {
                var train = NetworkPlanner.Compile(model.Spec, PlanMode.Train);
                var infer = NetworkPlanner.Compile(model.Spec, PlanMode.Infer);
                string trainText = PlanText.Write(train);
                return Result<PlannedNetwork>.Ok(new PlannedNetwork(model, trainText, PlanText.Write(infer),
                    PlanReport.Write(train), PlanText.Hash(trainText)));
            }
            catch (PlanException e)
            {
                var at = model.Locations.FirstOrDefault(l => l.Name == e.Subject)?.Location ?? model.ClassLocation;
                return Result<PlannedNetwork>.Fail(new DiagnosticInfo(DiagnosticDescriptors.PlanError.Id, at, Equatable.Arr(e.Message)));
            }
        }

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

        private static Diagnostic ToDiagnostic(DiagnosticInfo info)
        {
            var descriptor = info.Id switch
            {
                "OF0001" => DiagnosticDescriptors.PlanError,
                "OF0002" => DiagnosticDescriptors.UnsupportedConstruct,
                _ => DiagnosticDescriptors.InternalError,
            };
            return Diagnostic.Create(descriptor, info.Location?.ToLocation() ?? Location.None, info.Arguments.ToArray<object>());
        }

        private static string Hint(NetworkModel m) => (m.Namespace.Length == 0 ? m.ClassName : m.Namespace + "." + m.ClassName) + ".g.cs";
    }
}
