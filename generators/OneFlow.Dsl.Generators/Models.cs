using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Generators
{
    /// <summary>A source location as plain data, so that models stay equatable and hold no syntax tree.</summary>
    public sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
    {
        public static LocationInfo? From(Location? location)
        {
            if (location == null || location.SourceTree == null) return null;
            var span = location.GetLineSpan().Span;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan.Start, location.SourceSpan.Length,
                span.Start.Line, span.Start.Character, span.End.Line, span.End.Character);
        }

        public Location ToLocation() => Location.Create(FilePath, new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
    }

    /// <summary>A diagnostic as plain data.</summary>
    public sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

    /// <summary>Where a name the planner may complain about was written.</summary>
    public sealed record NamedLocation(string Name, LocationInfo Location);

    /// <summary>The network class as read from source: its spec for the planner, and what the emitter needs.</summary>
    public sealed record NetworkModel(
        string Namespace,
        string ClassName,
        string Accessibility,
        NetworkSpec Spec,
        EquatableArray<string> InputParameters,
        EquatableArray<NamedLocation> Locations,
        LocationInfo? ClassLocation)
    {
        /// <summary>The class's module fields, which its constructor creates and whose weights it names.</summary>
        public EquatableArray<ModuleField> Modules { get; init; }

        /// <summary>False when the class has no Forward: its entry points then take any tensors.</summary>
        public bool HasForward { get; init; } = true;

        /// <summary>The source text of each intermediate value ("%1" is "MatMul(x, w1)"), for messages.</summary>
        public EquatableArray<NamedText> Texts { get; init; }
    }

    /// <summary>What a value was written as.</summary>
    public sealed record NamedText(string Name, string Text);

    /// <summary>A field holding a module (<see cref="Count"/> -1) or a [Repeat(Count)] array of them.</summary>
    public sealed record ModuleField(string Name, string TypeName, int Count);

    /// <summary>A [Module] class as the emitter needs it: its own weights (by field name) and module fields.</summary>
    public sealed record ModuleModel(string Namespace, string ClassName, EquatableArray<TensorDecl> Weights, EquatableArray<ModuleField> Modules);

    /// <summary>The result of one pipeline stage: a value, or the diagnostics that stopped it.</summary>
    public sealed record Result<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics) where T : class
    {
        public static Result<T> Ok(T value) => new Result<T>(value, EquatableArray<DiagnosticInfo>.Empty);
        public static Result<T> Fail(params DiagnosticInfo[] diagnostics) => new Result<T>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    /// <summary>A planned network: everything the emitter prints, already computed. A network with errors is
    /// unplanned: the emitter still writes its members, which fail when run, so that its errors are the only ones.</summary>
    public sealed record PlannedNetwork(NetworkModel Model, string TrainPlan, string InferPlan, string Report, string TrainHash)
    {
        public bool Planned => TrainPlan.Length > 0;

        public static PlannedNetwork Unplanned(NetworkModel model) => new PlannedNetwork(model, "", "", "", "");
    }

    internal static class Equatable
    {
        public static EquatableArray<T> Arr<T>(params T[] items) where T : IEquatable<T> => new EquatableArray<T>(items);
    }
}
