using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Reads the fields of a network or module class: [Weight] and [Buffer] tensors become the plan's state, named by
    /// their path ("blocks.2.wq"); module fields (single, or [Repeat(n)] arrays) become instances whose own fields are
    /// read the same way, each with the placement its field or stage gives it.</summary>
    internal sealed class FieldReader
    {
        private const string Ns = "OneFlow.Dsl.";
        private const int MaxDepth = 8;

        private readonly List<TensorDecl> _weights;
        private readonly HashSet<string> _used;
        private readonly List<NamedLocation> _locations;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly CancellationToken _cancellation;

        public FieldReader(List<TensorDecl> weights, HashSet<string> used, List<NamedLocation> locations, List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
        {
            _weights = weights;
            _used = used;
            _locations = locations;
            _diagnostics = diagnostics;
            _cancellation = cancellation;
        }

        /// <summary>Reads <paramref name="type"/>'s fields into <paramref name="scope"/>. <paramref name="placement"/> is
        /// the instance's, which its weights take over their own; <paramref name="modules"/> collects the module
        /// fields for the emitter (the class's own only).</summary>
        public void Read(INamedTypeSymbol type, Scope scope, string? placement, List<ModuleField>? modules = null, int depth = 0)
        {
            foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
            {
                var weight = Attribute(field, "WeightAttribute");
                var buffer = Attribute(field, "BufferAttribute");
                if (weight != null) ReadWeight(field, weight, DeclKind.Weight, scope, placement);
                else if (buffer != null) ReadWeight(field, buffer, DeclKind.Buffer, scope, placement);
                else if (ModuleType(field.Type, out bool isArray) is INamedTypeSymbol module)
                    ReadModule(field, module, isArray, scope, placement, modules, depth);
            }
        }

        /// <summary>A [Weight] or [Buffer] field (<paramref name="kind"/> says which).</summary>
        private void ReadWeight(IFieldSymbol field, AttributeData weight, DeclKind kind, Scope scope, string? placement)
        {
            if (field.Type.ToDisplayString() != Ns + "Tensor")
            {
                Report(DiagnosticDescriptors.BadDeclaration, field.Locations.FirstOrDefault(),
                    $"{kind} '{field.Name}' must be a field of type Tensor, not {field.Type.ToDisplayString()}.");
                return;
            }
            string name = scope.Qualify(field.Name);
            double? fill = weight.NamedArguments.Where(a => a.Key == "Fill").Select(a => a.Value.Value as double?).FirstOrDefault();
            var (init, scale) = fill == null && kind == DeclKind.Weight ? InitOf(field, weight) : (null, 0);
            _weights.Add(new TensorDecl(name, kind, Dims(weight), SbpOf(field)) { Placement = placement ?? PlacementOf(field), Fill = fill, Init = init, Scale = scale });
            scope.Values[field.Name] = name;
            _used.Add(name);
            AddDeclaration(_locations, name, field, weight, _cancellation);
        }

        /// <summary>The draw a [Weight] asks for (its Init, with Std or Bound); or, left to the default, PyTorch's draw
        /// for a weight its class gives to a layer (Linear's w Kaiming uniform; the bias of Linear or a convolution
        /// uniform in ±1/√fan_in of its weight); or null.</summary>
        private static (string? Init, double Scale) InitOf(IFieldSymbol field, AttributeData weight)
        {
            var named = weight.NamedArguments.FirstOrDefault(a => a.Key == "Init").Value;
            string? init = named.Type is INamedTypeSymbol type && named.Value is int code
                ? type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(m => m.HasConstantValue && (int)m.ConstantValue! == code)?.Name
                : null;
            double Named(string key, double otherwise) => weight.NamedArguments.Where(a => a.Key == key).Select(a => a.Value.Value as double?).FirstOrDefault() ?? otherwise;
            if (init != null && init != "Default") return (init, init == "Uniform" ? Named("Bound", 1) : Named("Std", 1));
            foreach (var (call, linear) in LayerCalls(field.ContainingType))
            {
                var args = call.ArgumentList.Arguments;
                if (linear && Names(args[1].Expression, field.Name)) return ("KaimingUniform", 0);
                if (args.Count > 2 && Names(args[2].Expression, field.Name) && FanIn(field.ContainingType, args[1].Expression) is int fanIn)
                    return ("Uniform", 1 / System.Math.Sqrt(fanIn));
            }
            return (null, 0);
        }

        /// <summary>The calls of Linear and the convolutions written in the class (true for Linear): a weight given as
        /// their w or b starts as PyTorch's layer of that name starts it. A convolution's w needs no rule: the default
        /// draw is already PyTorch's, ±1/√(C·kH·kW).</summary>
        private static IEnumerable<(InvocationExpressionSyntax Call, bool Linear)> LayerCalls(INamedTypeSymbol type)
            => type.DeclaringSyntaxReferences.SelectMany(r => r.GetSyntax().DescendantNodes().OfType<InvocationExpressionSyntax>())
                .Where(c => c.ArgumentList.Arguments.Count >= 2 && Layers.Contains(NameOf(c) ?? ""))
                .Select(c => (c, NameOf(c) == "Linear"));

        private static readonly HashSet<string> Layers = new HashSet<string> { "Linear", "Conv1d", "Conv2d", "ConvTranspose2d" };

        private static string? NameOf(InvocationExpressionSyntax call) => call.Expression switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            _ => null,
        };

        private static bool Names(ExpressionSyntax e, string field)
            => e is IdentifierNameSyntax id && id.Identifier.ValueText == field
               || e is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } && name.Identifier.ValueText == field;

        /// <summary>PyTorch's fan_in of the weight field <paramref name="weight"/> names: the product of its
        /// dimensions after the first (a Linear's inputs; a convolution's C·kH·kW).</summary>
        private static int? FanIn(INamedTypeSymbol type, ExpressionSyntax weight)
        {
            var field = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => Names(weight, f.Name));
            var dims = field == null ? null : Attribute(field, "WeightAttribute")?.ConstructorArguments.FirstOrDefault().Values;
            return dims is { Length: >= 2 } d ? d.Skip(1).Aggregate(1, (product, v) => product * (v.Value as int? ?? 1)) : null;
        }

        private void ReadModule(IFieldSymbol field, INamedTypeSymbol module, bool isArray, Scope scope, string? placement, List<ModuleField>? modules, int depth)
        {
            var at = field.Locations.FirstOrDefault();
            if (depth >= MaxDepth)
            {
                Report(DiagnosticDescriptors.BadDeclaration, at, $"Modules are nested more than {MaxDepth} deep at '{scope.Qualify(field.Name)}'; does {module.Name} hold itself?");
                return;
            }
            int count = 1;
            if (isArray)
            {
                count = Attribute(field, "RepeatAttribute")?.ConstructorArguments.FirstOrDefault().Value as int? ?? 0;
                if (count <= 0)
                {
                    Report(DiagnosticDescriptors.BadDeclaration, at, $"The module array '{field.Name}' needs its length as a positive constant: [Repeat(4)] {module.Name}[] {field.Name};");
                    return;
                }
            }
            string[] stages = StagesOf(field);
            if (stages.Length > count)
            {
                Report(DiagnosticDescriptors.BadDeclaration, at, $"'{field.Name}' has {count} module{(count == 1 ? "" : "s")} for {stages.Length} stages; give every stage at least one.");
                return;
            }
            string? own = PlacementOf(field) ?? placement;
            var instances = new ModuleInstance[count];
            if (modules != null) modules.Add(new ModuleField(field.Name, module.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), isArray ? count : -1));
            for (int i = 0; i < count; i++)
            {
                string? where = stages.Length > 0 ? stages[i * stages.Length / count] : own;
                var child = new Scope(scope.Qualify(field.Name) + (isArray ? "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""), where);
                Read(module, child, where, null, depth + 1);
                instances[i] = new ModuleInstance(module, child);
            }
            scope.Modules[field.Name] = instances;
            if (isArray) scope.Arrays.Add(field.Name);
            Add(_locations, scope.Qualify(field.Name), at);
        }

        /// <summary>A [Module] class as its emitter needs it; its mistakes are reported where a network uses it.</summary>
        public static ModuleModel? ReadModuleClass(INamedTypeSymbol type, ClassDeclarationSyntax syntax, CancellationToken cancellation)
        {
            if (!syntax.Modifiers.Any(m => m.ValueText == "partial")) return null;
            var weights = new List<TensorDecl>();
            var modules = new List<ModuleField>();
            new FieldReader(weights, new HashSet<string>(), new List<NamedLocation>(), new List<DiagnosticInfo>(), cancellation)
                .Read(type, new Scope(""), null, modules, MaxDepth - 1);
            string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            // The reader also walks the modules this one holds, naming their weights by path ("inner.w"); those are
            // created and listed by their own modules, so the emitter gets this class's own weights only.
            var own = weights.Where(w => w.Name.IndexOf('.') < 0).ToArray();
            return new ModuleModel(ns, type.Name, new EquatableArray<TensorDecl>(own), new EquatableArray<ModuleField>(modules.ToArray()));
        }

        /// <summary>The [Module] class of a field of that type or an array of it; null for anything else.</summary>
        public static INamedTypeSymbol? ModuleType(ITypeSymbol type, out bool isArray)
        {
            isArray = type is IArrayTypeSymbol { Rank: 1 };
            var element = type is IArrayTypeSymbol array ? array.ElementType : type;
            return element is INamedTypeSymbol named && Attribute(named, "ModuleAttribute") != null ? named : null;
        }

        public static AttributeData? Attribute(ISymbol symbol, string name)
            => symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Ns + name);

        /// <summary>The SBP strings of [Sbp(...)], one per mesh axis, joined by commas as the planner reads them.</summary>
        public static string? SbpOf(ISymbol symbol)
        {
            var arg = Attribute(symbol, "SbpAttribute")?.ConstructorArguments.FirstOrDefault();
            if (arg == null || arg.Value.Kind != TypedConstantKind.Array || arg.Value.IsNull) return null;
            return string.Join(",", arg.Value.Values.Select(v => v.Value as string ?? "?"));
        }

        public static string? PlacementOf(ISymbol symbol) => Attribute(symbol, "PlacementAttribute")?.ConstructorArguments.FirstOrDefault().Value as string;

        private static string[] StagesOf(ISymbol symbol)
        {
            var arg = Attribute(symbol, "StagesAttribute")?.ConstructorArguments.FirstOrDefault();
            if (arg == null || arg.Value.Kind != TypedConstantKind.Array || arg.Value.IsNull) return new string[0];
            return arg.Value.Values.Select(v => v.Value as string ?? "").ToArray();
        }

        public static EquatableArray<int> Dims(AttributeData attribute)
        {
            var arg = attribute.ConstructorArguments.FirstOrDefault();
            if (arg.Kind != TypedConstantKind.Array || arg.IsNull) return EquatableArray<int>.Empty;
            return new EquatableArray<int>(arg.Values.Select(v => v.Value as int? ?? 0).ToArray());
        }

        public static Location? ArgumentLocation(AttributeData? attribute, CancellationToken cancellation)
            => (attribute?.ApplicationSyntaxReference?.GetSyntax(cancellation) as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault()?.GetLocation();

        /// <summary>Records where a weight or input was declared, and where its shape, SBP and placement arguments
        /// are, so that a complaint about "w1:sbp" lands on the very string.</summary>
        public static void AddDeclaration(List<NamedLocation> locations, string name, ISymbol declared, AttributeData shape, CancellationToken cancellation)
        {
            Add(locations, name, declared.Locations.FirstOrDefault());
            Add(locations, name + ":dims", (shape.ApplicationSyntaxReference?.GetSyntax(cancellation) as AttributeSyntax)?.ArgumentList?.GetLocation());
            Add(locations, name + ":sbp", ArgumentLocation(Attribute(declared, "SbpAttribute"), cancellation));
            Add(locations, name + ":placement", ArgumentLocation(Attribute(declared, "PlacementAttribute"), cancellation));
        }

        public static void Add(List<NamedLocation> locations, string name, Location? location)
        {
            var info = LocationInfo.From(location);
            if (info != null) locations.Add(new NamedLocation(name, info));
        }

        private void Report(DiagnosticDescriptor descriptor, Location? location, string message)
            => _diagnostics.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(location), Equatable.Arr(message)));
    }
}
