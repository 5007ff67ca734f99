using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Reads the body of Forward (or Loss) into statements of the form <c>name = Op(inputs)</c>.
    /// Only what a static plan can express is accepted: locals, returns, calls of <c>OneFlow.Dsl.Ops</c> and the
    /// tensor operators, calls of a module's Forward (inlined, its values named by the module's path) and
    /// <c>foreach</c> over a [Repeat] array of modules (unrolled); anything else is reported at its own span with
    /// the reason.</summary>
    internal sealed class ForwardTranslator
    {
        private const string OpsType = "OneFlow.Dsl.Ops";
        private const string TensorType = "OneFlow.Dsl.Tensor";

        private readonly SemanticModel _model;
        private readonly string _method;
        private readonly Scope _scope;
        private readonly Dictionary<string, string> _values;
        private readonly HashSet<string> _used;
        private readonly List<OpDecl> _statements;
        /// <summary>The iteration variables of unrolled loops, each bound to the module of the current copy.</summary>
        private readonly Dictionary<string, ModuleInstance> _loopModules = new Dictionary<string, ModuleInstance>();
        private readonly List<NamedLocation> _locations;
        private readonly List<DiagnosticInfo> _diagnostics;
        /// <summary>Locals whose value could not be translated: already reported, so their uses stay quiet.</summary>
        private readonly HashSet<string> _failed = new HashSet<string>();
        /// <summary>Locals holding the parts of a Split or Chunk (<c>var parts = Split(x, 2, 1)</c>): the call, whose
        /// parts are emitted as they are taken (<c>parts[0]</c>).</summary>
        private readonly Dictionary<string, InvocationExpressionSyntax> _partLocals = new Dictionary<string, InvocationExpressionSyntax>();

        private readonly List<NamedText> _texts;

        public ForwardTranslator(SemanticModel model, string method, Scope scope, HashSet<string> used,
            List<NamedLocation> locations, List<DiagnosticInfo> diagnostics, List<NamedText> texts, List<OpDecl>? statements = null)
        {
            _texts = texts;
            _model = model;
            _method = method;
            _scope = scope;
            _values = scope.Values;
            _used = used;
            _locations = locations;
            _diagnostics = diagnostics;
            _statements = statements ?? new List<OpDecl>();
        }

        public IReadOnlyList<OpDecl> Statements => _statements;

        /// <summary>Translates the method body; returns the name of the returned value, or null after an error.</summary>
        public string? Translate(MethodDeclarationSyntax method)
        {
            if (method.ExpressionBody != null) return Value(method.ExpressionBody.Expression, null);
            if (method.Body == null) return Unsupported(method, $"{_method} needs a body");
            string? result = null;
            foreach (var statement in method.Body.Statements)
            {
                if (result != null) return Unsupported(statement, "a static plan has one return at the end of the method");
                result = Statement(statement);
            }
            if (result == null && _diagnostics.Count == 0) Unsupported(method.Identifier, $"{_method} must return a tensor");
            return string.IsNullOrEmpty(result) ? null : result;
        }

        /// <summary>Translates one statement; returns the returned value's name for a return ("" when it failed),
        /// else null.</summary>
        private string? Statement(StatementSyntax statement)
        {
            switch (statement)
            {
                case LocalDeclarationStatementSyntax local:
                    foreach (var v in local.Declaration.Variables)
                    {
                        if (v.Initializer == null) { Unsupported(v, "a tensor local must be initialised where it is declared"); continue; }
                        if (PartsCall(v.Initializer.Value) is InvocationExpressionSyntax split) _partLocals[v.Identifier.ValueText] = split;
                        else Bind(v.Identifier.ValueText, Value(v.Initializer.Value, v.Identifier.ValueText));
                    }
                    return null;
                case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax names } } assign }
                    when PartsCall(assign.Right) is InvocationExpressionSyntax split:
                    // var (q, k, v) = Chunk(x, 3, -1): one part per name, the count checked against the cut.
                    for (int i = 0; i < names.Variables.Count; i++)
                    {
                        if (!(names.Variables[i] is SingleVariableDesignationSyntax name)) { Unsupported(names.Variables[i], "take the parts apart into plain names"); continue; }
                        Bind(name.Identifier.ValueText, Part(split, i, names.Variables.Count, name.Identifier.ValueText));
                    }
                    return null;
                case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assign }
                    when assign.Left is IdentifierNameSyntax target && _model.GetSymbolInfo(target).Symbol is ILocalSymbol or IParameterSymbol:
                    Bind(target.Identifier.ValueText, Value(assign.Right, target.Identifier.ValueText));
                    return null;
                case ReturnStatementSyntax ret when ret.Expression != null:
                    return Value(ret.Expression, null) ?? "";
                case BlockSyntax block:
                    foreach (var inner in block.Statements)
                        if (Statement(inner) != null) return Unsupported(inner, "a static plan has one return at the end of the method");
                    return null;
                case ForEachStatementSyntax loop when ModulesOf(loop.Expression) is ModuleInstance[] modules:
                    // Unrolled: the body once per module, its iteration variable bound to that module.
                    string variable = loop.Identifier.ValueText;
                    foreach (var module in modules)
                    {
                        _loopModules[variable] = module;
                        if (Statement(loop.Statement) != null) return Unsupported(loop.Statement, "return after the loop, not inside it");
                    }
                    _loopModules.Remove(variable);
                    return null;
                case ForEachStatementSyntax loop when NotAModule(loop.Expression) is string type:
                    return Unsupported(loop.Expression, $"'{type}' is not a module: mark the class [Module] (and the array [Repeat(n)]) so that the loop is unrolled");
                default:
                    return Unsupported(statement, Reason(statement));
            }
        }

        /// <summary>A call the planner cannot read. Where the compiler could not bind it because of an argument, the
        /// argument is what to report; a class with a Forward that is not a module, and a name that is no op, say so.</summary>
        private string? UnknownCall(InvocationExpressionSyntax call)
        {
            var info = _model.GetSymbolInfo(call);
            if (info.Symbol == null && info.CandidateSymbols.Any(c => c.ContainingType?.ToDisplayString() == OpsType))
            {
                int before = _diagnostics.Count;
                foreach (var argument in call.ArgumentList.Arguments)
                {
                    var type = _model.GetTypeInfo(argument.Expression).Type;
                    if (type == null || type.TypeKind == TypeKind.Error || type.ToDisplayString() == TensorType) Value(argument.Expression, null);
                }
                return _diagnostics.Count > before ? null : Unsupported(call, $"the arguments of {Name(call)} fit none of its forms in {OpsType}");
            }
            if (info.Symbol is IMethodSymbol { Name: "Forward" } forward && forward.ContainingType?.TypeKind == TypeKind.Class)
                return Unsupported(call, $"'{forward.ContainingType.Name}' is not a module: mark the class [Module] so that its Forward is inlined");
            return info.Symbol == null
                ? Unsupported(call, $"'{Name(call)}' is not an op of {OpsType}; see the list of ops in the README")
                : Unsupported(call, $"only the ops of {OpsType} can be called in {_method}; '{call.Expression}' is unknown to the planner");
        }

        /// <summary>An expression the compiler could not bind because a part of it is unknown: that part is reported,
        /// not the whole.</summary>
        private bool InnerProblem(ExpressionSyntax e)
        {
            int before = _diagnostics.Count;
            foreach (var part in e.ChildNodes().OfType<ExpressionSyntax>())
                if (_model.GetTypeInfo(part).Type is { TypeKind: TypeKind.Error }) Value(part, null);
            return _diagnostics.Count > before;
        }

        private static string Name(InvocationExpressionSyntax call)
            => call.Expression is MemberAccessExpressionSyntax member ? member.Name.Identifier.ValueText : call.Expression.ToString();

        /// <summary>The name of the class of a field iterated by <paramref name="e"/> whose elements have a Forward but no
        /// [Module]; null for anything else.</summary>
        private string? NotAModule(ExpressionSyntax e)
        {
            var type = _model.GetTypeInfo(e).Type;
            var element = type is IArrayTypeSymbol array ? array.ElementType : null;
            return element is INamedTypeSymbol named && named.GetMembers("Forward").Any() && FieldReader.ModuleType(named, out _) == null ? named.Name : null;
        }

        /// <summary>The modules of a [Repeat] array field named by <paramref name="e"/>, or null.</summary>
        private ModuleInstance[]? ModulesOf(ExpressionSyntax e)
        {
            string? field = e switch
            {
                IdentifierNameSyntax id => id.Identifier.ValueText,
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member => member.Name.Identifier.ValueText,
                _ => null,
            };
            return field != null && _scope.Arrays.Contains(field) ? _scope.Modules[field] : null;
        }

        /// <summary>The module a call's receiver names: a module field, an element of a [Repeat] array at a constant
        /// index, or the variable of an unrolled loop; null, reported, for anything else.</summary>
        private ModuleInstance? ModuleOf(ExpressionSyntax receiver)
        {
            switch (receiver)
            {
                case IdentifierNameSyntax id when _loopModules.TryGetValue(id.Identifier.ValueText, out var bound):
                    return bound;
                case IdentifierNameSyntax id when !_scope.Arrays.Contains(id.Identifier.ValueText) && _scope.Modules.TryGetValue(id.Identifier.ValueText, out var single):
                    return single[0];
                case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member:
                    return ModuleOf(member.Name);
                case ElementAccessExpressionSyntax element when ModulesOf(element.Expression) is ModuleInstance[] array
                                                               && element.ArgumentList.Arguments.Count == 1:
                    var index = _model.GetConstantValue(element.ArgumentList.Arguments[0].Expression);
                    if (index.HasValue && index.Value is int i && i >= 0 && i < array.Length) return array[i];
                    Unsupported(element, $"index a module array with a constant from 0 to {array.Length - 1}, or iterate it with foreach");
                    return null;
                default:
                    Unsupported(receiver, "call Forward on a module field, an element of a [Repeat] array or a foreach variable over one");
                    return null;
            }
        }

        /// <summary>Inlines a module's Forward: its parameters bound to the arguments' values, its weights to the
        /// instance's, its locals named under the instance's path.</summary>
        private string? Inline(InvocationExpressionSyntax call, IMethodSymbol forward, ModuleInstance module)
        {
            if (!(forward.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is MethodDeclarationSyntax body))
                return Unsupported(call, $"the source of {module.Type.Name}.Forward is not in this compilation");
            if (call.ArgumentList.Arguments.Count != forward.Parameters.Length)
                return Unsupported(call, $"{module.Type.Name}.Forward takes {forward.Parameters.Length} tensors");
            var args = new string[forward.Parameters.Length];
            for (int i = 0; i < args.Length; i++)
            {
                string? arg = Value(call.ArgumentList.Arguments[i].Expression, null);
                if (arg == null) return null;
                args[i] = arg;
            }
            // Parameters shadow nothing of the instance's: a fresh scope per call, the instance's weights and modules in it.
            var scope = new Scope(module.Scope.Path, module.Scope.Placement);
            foreach (var pair in module.Scope.Values) scope.Values[pair.Key] = pair.Value;
            foreach (var pair in module.Scope.Modules) scope.Modules[pair.Key] = pair.Value;
            scope.Arrays.UnionWith(module.Scope.Arrays);
            for (int i = 0; i < args.Length; i++) scope.Values[forward.Parameters[i].Name] = args[i];
            var model = _model.Compilation.GetSemanticModel(body.SyntaxTree);
            return new ForwardTranslator(model, module.Type.Name + ".Forward", scope, _used, _locations, _diagnostics, _texts, _statements).Translate(body);
        }

        private void Bind(string local, string? value)
        {
            if (value != null) _values[local] = value;
            else _failed.Add(local);
        }

        /// <summary>The tensor name an expression evaluates to, adding the statements that compute it.</summary>
        private string? Value(ExpressionSyntax e, string? preferredName)
        {
            switch (e)
            {
                case ParenthesizedExpressionSyntax p:
                    return Value(p.Expression, preferredName);
                case IdentifierNameSyntax id when _failed.Contains(id.Identifier.ValueText):
                    return null;
                case IdentifierNameSyntax id:
                    return _values.TryGetValue(id.Identifier.ValueText, out string? name)
                        ? name
                        : Unsupported(id, $"'{id.Identifier.ValueText}' is not a weight, an input or a tensor computed before it");
                case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member:
                    return Value(member.Name, preferredName);
                case BinaryExpressionSyntax binary when Operator(binary) is IMethodSymbol op && Comparisons.ContainsKey(binary.OperatorToken.Text):
                    return Comparison(binary, op, preferredName);
                case BinaryExpressionSyntax binary when Operator(binary) is IMethodSymbol op:
                    return Arithmetic(binary, op, preferredName);
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus when Operator(minus) != null:
                    return Emit(OpName(OpKind.Neg), new[] { minus.Operand }, e, preferredName);
                case ElementAccessExpressionSyntax element when PartsOf(element.Expression) is InvocationExpressionSyntax split:
                    var part = element.ArgumentList.Arguments.Count == 1 ? _model.GetConstantValue(element.ArgumentList.Arguments[0].Expression) : default;
                    return part.HasValue && part.Value is int i && i >= 0
                        ? Part(split, i, 0, preferredName)
                        : Unsupported(element, "take a part of a split with a constant index");
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax callee } call
                    when _model.GetSymbolInfo(call).Symbol is IMethodSymbol { Name: "Forward" } forward
                         && FieldReader.ModuleType(forward.ContainingType, out _) != null:
                    var module = ModuleOf(callee.Expression);
                    return module == null ? null : Inline(call, forward, module);
                case InvocationExpressionSyntax call when _model.GetSymbolInfo(call).Symbol is IMethodSymbol m
                                                         && m.ContainingType?.ToDisplayString() == OpsType:
                    return OpCall(call, m, preferredName);
                case InvocationExpressionSyntax call:
                    return UnknownCall(call);
                default:
                    return InnerProblem(e) ? null : Unsupported(e, Reason(e));
            }
        }

        private string? Emit(string op, ExpressionSyntax[] operands, ExpressionSyntax at, string? preferredName, double[]? constants = null)
        {
            var inputs = new string[operands.Length];
            for (int i = 0; i < operands.Length; i++)
            {
                string? input = Value(operands[i], null);
                if (input == null) return null;
                inputs[i] = input;
            }
            return Statement(op, inputs, at, preferredName, constants);
        }

        /// <summary>Adds <c>output = op(inputs)</c> and returns the output's name.</summary>
        private string Statement(string op, string[] inputs, ExpressionSyntax at, string? preferredName, double[]? constants)
        {
            string output = Fresh(preferredName);
            _statements.Add(new OpDecl(output, op, new EquatableArray<string>(inputs))
            {
                Args = new EquatableArray<double>(constants ?? new double[0]),
                Placement = _scope.Placement,
                Module = _scope.Path.Length == 0 ? null : _scope.Path,
            });
            var location = LocationInfo.From(at.GetLocation());
            if (location != null) _locations.Add(new NamedLocation(output, location));
            if (output.StartsWith("%", System.StringComparison.Ordinal)) _texts.Add(new NamedText(output, at.ToString()));
            return output;
        }

        /// <summary>A new SSA name: the local's own name (under the module's path) where it is free, "%n" for
        /// intermediate values.</summary>
        private string Fresh(string? preferred)
        {
            if (preferred != null) preferred = _scope.Qualify(preferred);
            string name = preferred ?? "%" + _used.Count(n => n.StartsWith("%", System.StringComparison.Ordinal)).ToString(CultureInfo.InvariantCulture);
            for (int i = 1; !_used.Add(name); i++) name = (preferred ?? "%") + "_" + i.ToString(CultureInfo.InvariantCulture);
            return name;
        }

        /// <summary>A call of an op: its tensor arguments become the statement's inputs, every other parameter (in
        /// declaration order, defaults filled in, an array, params or not, spread out) a constant argument.</summary>
        /// <summary>The op call that returns the parts of a split (Split, Chunk), or null.</summary>
        private InvocationExpressionSyntax? PartsCall(ExpressionSyntax e)
            => e is InvocationExpressionSyntax call && _model.GetSymbolInfo(call).Symbol is IMethodSymbol m
               && m.ContainingType?.ToDisplayString() == OpsType && m.ReturnType is IArrayTypeSymbol array && IsTensor(array.ElementType)
                ? call : null;

        /// <summary>The split an indexed expression takes a part of: a split's call, or a local holding one.</summary>
        private InvocationExpressionSyntax? PartsOf(ExpressionSyntax e)
            => e is IdentifierNameSyntax id && _partLocals.TryGetValue(id.Identifier.ValueText, out var call) ? call : PartsCall(e);

        /// <summary>Part <paramref name="index"/> of a split, as its op with the part and the parts expected (0: not
        /// said) after the call's constants.</summary>
        private string? Part(InvocationExpressionSyntax call, int index, int parts, string? preferredName)
            => OpCall(call, (IMethodSymbol)_model.GetSymbolInfo(call).Symbol!, preferredName, new double[] { index, parts });

        private string? OpCall(InvocationExpressionSyntax call, IMethodSymbol method, string? preferredName, double[]? extra = null)
        {
            foreach (var a in call.ArgumentList.Arguments)
                if (a.RefKindKeyword.RawKind != 0) return Unsupported(a, "ref and out arguments have no meaning in a plan");
            if (!(_model.GetOperation(call) is IInvocationOperation invocation)) return Unsupported(call, $"the call of {method.Name} does not bind");
            var tensors = new List<ExpressionSyntax>();
            var constants = new List<double>();
            foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                if (argument.Parameter?.Type is IArrayTypeSymbol { ElementType: var element } && IsTensor(element))
                {
                    if (!(argument.Value is IArrayCreationOperation list) || list.Initializer == null)
                        return Unsupported(argument.Syntax, $"{method.Name}'s {argument.Parameter.Name} must be written as the tensors themselves, new[] {{ a, b }}");
                    tensors.AddRange(list.Initializer.ElementValues.Select(v => v.Syntax is ArgumentSyntax a ? a.Expression : (ExpressionSyntax)v.Syntax));
                    continue;
                }
                if (argument.Parameter != null && IsTensor(argument.Parameter.Type))
                {
                    // An optional tensor left out (a convolution's bias) is no operand.
                    if (argument.Value.ConstantValue is { HasValue: true, Value: null }) continue;
                    tensors.Add(argument.Syntax is ArgumentSyntax a ? a.Expression : (ExpressionSyntax)argument.Value.Syntax);
                    continue;
                }
                var values = argument.Value is IArrayCreationOperation array
                    ? array.Initializer?.ElementValues ?? ImmutableArray<IOperation>.Empty
                    : ImmutableArray.Create(argument.Value);
                foreach (var value in values)
                {
                    if (value.ConstantValue is { HasValue: true, Value: string word })
                    {
                        if (!(Choice(method.Name, argument.Parameter?.Name ?? "", word, out double code, out string choices)))
                            return Unsupported(value.Syntax, $"{method.Name}'s {argument.Parameter?.Name} is one of {choices}, not \"{word}\"");
                        constants.Add(code);
                        continue;
                    }
                    if (value.ConstantValue is { HasValue: true, Value: bool flag })
                    {
                        constants.Add(flag ? 1 : 0);
                        continue;
                    }
                    if (!(Number(value.ConstantValue) is double number))
                        return Unsupported(value.Syntax, $"{method.Name}'s {argument.Parameter?.Name} must be a constant in a plan");
                    constants.Add(number);
                }
            }
            if (extra != null) constants.AddRange(extra);
            return Emit(method.Name, tensors.ToArray(), call, preferredName, constants.ToArray());
        }

        /// <summary>Arithmetic of two tensors is their op; with a constant on either side it is the steps the planner
        /// lowers it to (<see cref="ScalarArithmetic"/>), the same as the eager operators take.</summary>
        private string? Arithmetic(BinaryExpressionSyntax binary, IMethodSymbol op, string? preferredName)
        {
            char symbol = binary.OperatorToken.Text[0];
            bool leftTensor = op.Parameters[0].Type.ToDisplayString() == TensorType, rightTensor = op.Parameters[1].Type.ToDisplayString() == TensorType;
            if (leftTensor && rightTensor)
                return Emit(OpName(symbol == '+' ? OpKind.Add : symbol == '-' ? OpKind.Sub : symbol == '*' ? OpKind.Mul : OpKind.Div),
                    new[] { binary.Left, binary.Right }, binary, preferredName);
            var constantSide = leftTensor ? binary.Right : binary.Left;
            if (!(Number(_model.GetConstantValue(constantSide)) is double c))
                return Unsupported(constantSide, $"a number in arithmetic with a tensor must be a constant in a plan");
            string? value = Value(leftTensor ? binary.Left : binary.Right, null);
            var steps = ScalarArithmetic.Steps(symbol, constantFirst: !leftTensor, c);
            for (int i = 0; i < steps.Length && value != null; i++)
                value = Statement(OpName(steps[i].Op), new[] { value }, binary, i == steps.Length - 1 ? preferredName : null, steps[i].Args);
            return value;
        }

        /// <summary>Each comparison operator's op, and the op that says the same with the operands swapped
        /// (<c>0.5f &lt; x</c> is <c>Gt(x, 0.5)</c>).</summary>
        private static readonly Dictionary<string, (OpKind Kind, OpKind Swapped)> Comparisons = new Dictionary<string, (OpKind, OpKind)>
        {
            [">"] = (OpKind.Gt, OpKind.Lt), ["<"] = (OpKind.Lt, OpKind.Gt), [">="] = (OpKind.Ge, OpKind.Le), ["<="] = (OpKind.Le, OpKind.Ge),
        };

        /// <summary>A comparison of two tensors is its op; with a number on either side, the op with the number as its
        /// constant, the operands swapped where the number comes first.</summary>
        private string? Comparison(BinaryExpressionSyntax binary, IMethodSymbol op, string? preferredName)
        {
            var (kind, swapped) = Comparisons[binary.OperatorToken.Text];
            bool leftTensor = op.Parameters[0].Type.ToDisplayString() == TensorType, rightTensor = op.Parameters[1].Type.ToDisplayString() == TensorType;
            if (leftTensor && rightTensor) return Emit(OpName(kind), new[] { binary.Left, binary.Right }, binary, preferredName);
            var constantSide = leftTensor ? binary.Right : binary.Left;
            if (!(Number(_model.GetConstantValue(constantSide)) is double c))
                return Unsupported(constantSide, "a number compared with a tensor must be a constant in a plan");
            return Emit(OpName(leftTensor ? kind : swapped), new[] { leftTensor ? binary.Left : binary.Right }, binary, preferredName, new[] { c });
        }

        private static string OpName(OpKind kind) => OpRegistry.Get(kind).UserName!;

        /// <summary>Tensor, or Tensor? for an optional operand.</summary>
        private static bool IsTensor(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString() == TensorType;

        /// <summary>The constant a word stands for in an op's parameter (<c>approximate: "tanh"</c>), as the op defines it.</summary>
        private static bool Choice(string op, string parameter, string word, out double code, out string choices)
        {
            var known = OpRegistry.TryGetUserOp(op, out var kind) ? OpRegistry.Get(kind).Choices(parameter) : null;
            choices = known == null ? "no word" : string.Join(", ", known.Keys.Select(k => "\"" + k + "\""));
            code = 0;
            return known != null && known.TryGetValue(word, out code);
        }

        private static double? Number(Optional<object?> constant)
            => constant.HasValue && constant.Value is System.IConvertible number && !(number is string) && !(number is bool)
                ? number.ToDouble(CultureInfo.InvariantCulture)
                : (double?)null;

        /// <summary>The Tensor operator an expression calls, or null.</summary>
        private IMethodSymbol? Operator(ExpressionSyntax expression)
            => _model.GetSymbolInfo(expression).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } m
               && m.ContainingType?.ToDisplayString() == TensorType ? m : null;

        private static string Reason(SyntaxNode node)
        {
            switch (node)
            {
                case IfStatementSyntax _:
                case SwitchStatementSyntax _:
                case ConditionalExpressionSyntax _:
                    return "branching is decided at build time in a static plan; compute both values or use a separate network";
                case ForStatementSyntax _:
                case ForEachStatementSyntax _:
                case WhileStatementSyntax _:
                case DoStatementSyntax _:
                    return "loops are unrolled only as a foreach over a [Repeat] array of modules; write other steps out";
                case TryStatementSyntax _:
                    return "try blocks have no meaning in a static plan";
                case LambdaExpressionSyntax _:
                case AnonymousMethodExpressionSyntax _:
                    return "lambdas cannot be compiled into a plan";
                case LiteralExpressionSyntax _:
                    return "constants are not tensors; declare a [Weight] instead";
                default:
                    return $"'{node.Kind()}' is not supported in a static plan";
            }
        }

        private string? Unsupported(SyntaxNodeOrToken at, string reason)
        {
            _diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UnsupportedConstruct.Id, LocationInfo.From(at.GetLocation()),
                Equatable.Arr($"{_method}: {reason}.")));
            return null;
        }
    }
}
