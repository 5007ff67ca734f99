using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Reads the body of Forward (or Loss) into statements of the form <c>name = Op(inputs)</c>.
    /// Only what a static plan can express is accepted: locals, returns, calls of <c>OneFlow.Dsl.Ops</c> and the
    /// tensor operators; anything else is reported at its own span with the reason.</summary>
    internal sealed class ForwardTranslator
    {
        private const string OpsType = "OneFlow.Dsl.Ops";
        private const string TensorType = "OneFlow.Dsl.Tensor";

        private readonly SemanticModel _model;
        private readonly string _method;
        private readonly Dictionary<string, string> _values;
        private readonly HashSet<string> _used;
        private readonly List<OpDecl> _statements = new List<OpDecl>();
        private readonly List<NamedLocation> _locations;
        private readonly List<DiagnosticInfo> _diagnostics;
        /// <summary>Locals whose value could not be translated: already reported, so their uses stay quiet.</summary>
        private readonly HashSet<string> _failed = new HashSet<string>();

        public ForwardTranslator(SemanticModel model, string method, Dictionary<string, string> values, HashSet<string> used,
            List<NamedLocation> locations, List<DiagnosticInfo> diagnostics)
        {
            _model = model;
            _method = method;
            _values = values;
            _used = used;
            _locations = locations;
            _diagnostics = diagnostics;
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
                switch (statement)
                {
                    case LocalDeclarationStatementSyntax local:
                        foreach (var v in local.Declaration.Variables)
                        {
                            if (v.Initializer == null) { Unsupported(v, "a tensor local must be initialised where it is declared"); continue; }
                            Bind(v.Identifier.ValueText, Value(v.Initializer.Value, v.Identifier.ValueText));
                        }
                        break;
                    case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assign }
                        when assign.Left is IdentifierNameSyntax target && _model.GetSymbolInfo(target).Symbol is ILocalSymbol:
                        Bind(target.Identifier.ValueText, Value(assign.Right, target.Identifier.ValueText));
                        break;
                    case ReturnStatementSyntax ret when ret.Expression != null:
                        if (result != null) return Unsupported(ret, "a static plan has one return at the end of the method");
                        result = Value(ret.Expression, null);
                        break;
                    default:
                        Unsupported(statement, Reason(statement));
                        break;
                }
            }
            return result ?? (_diagnostics.Count == 0 ? Unsupported(method.Identifier, $"{_method} must return a tensor") : null);
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
                case BinaryExpressionSyntax binary when OperatorName(binary) is string op:
                    return Emit(op, new[] { binary.Left, binary.Right }, e, preferredName);
                case InvocationExpressionSyntax call when _model.GetSymbolInfo(call).Symbol is IMethodSymbol m
                                                         && m.ContainingType?.ToDisplayString() == OpsType:
                    var args = new List<ExpressionSyntax>();
                    var constants = new List<double>();
                    foreach (var a in call.ArgumentList.Arguments)
                    {
                        if (a.RefKindKeyword.RawKind != 0) return Unsupported(a, "ref and out arguments have no meaning in a plan");
                        var constant = _model.GetConstantValue(a.Expression);
                        if (constant.HasValue && constant.Value is System.IConvertible number && !(number is string) && !(number is bool))
                            constants.Add(number.ToDouble(CultureInfo.InvariantCulture));
                        else args.Add(a.Expression);
                    }
                    return Emit(m.Name, args.ToArray(), e, preferredName, constants.ToArray());
                case InvocationExpressionSyntax call:
                    return Unsupported(call, $"only the ops of {OpsType} can be called in {_method}; '{call.Expression}' is unknown to the planner");
                default:
                    return Unsupported(e, Reason(e));
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
            string output = Fresh(preferredName);
            _statements.Add(new OpDecl(output, op, new EquatableArray<string>(inputs)) { Args = new EquatableArray<double>(constants ?? new double[0]) });
            var location = LocationInfo.From(at.GetLocation());
            if (location != null) _locations.Add(new NamedLocation(output, location));
            return output;
        }

        /// <summary>A new SSA name: the local's own name where it is free, "%n" for intermediate values.</summary>
        private string Fresh(string? preferred)
        {
            string name = preferred ?? "%" + _used.Count(n => n.StartsWith("%", System.StringComparison.Ordinal)).ToString(CultureInfo.InvariantCulture);
            for (int i = 1; !_used.Add(name); i++) name = (preferred ?? "%") + "_" + i.ToString(CultureInfo.InvariantCulture);
            return name;
        }

        private string? OperatorName(BinaryExpressionSyntax binary)
        {
            if (!(_model.GetSymbolInfo(binary).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } m)
                || m.ContainingType?.ToDisplayString() != TensorType) return null;
            switch (binary.Kind())
            {
                case SyntaxKind.AddExpression: return "Add";
                case SyntaxKind.SubtractExpression: return "Sub";
                case SyntaxKind.MultiplyExpression: return "Mul";
                default: return null;
            }
        }

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
                    return "loops are not unrolled yet; write each step out";
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
