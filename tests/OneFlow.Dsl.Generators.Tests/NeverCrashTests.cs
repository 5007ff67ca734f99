using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Broken sources, as an editor sees them while a user types, made by mutating the valid networks:
    /// the generator and the analyzers must never throw (no exception in the run, no AD0001, no CS8785).</summary>
    public class NeverCrashTests
    {
        private readonly ITestOutputHelper _output;
        public NeverCrashTests(ITestOutputHelper output) => _output = output;

        private static readonly string[] Values =
        {
            "-1", "0", "1", "100000000", "int.MaxValue", "\"S(-1)\"", "\"\"", "\"P\"", "\"S(99)\"", "\"B\"", "\"cpu:\"", "\"cuda:0-3\"",
            "\"2x2:cpu\"", "\"cpu:0-99999\"", "null", "1.5", "x", "\"S(1)\", \"B\"",
        };

        public static IEnumerable<string> Mutants()
        {
            var random = new Random(20261126);
            string[] valid = { Networks.Mlp, Networks.Gated, Networks.Losses };
            for (int i = 0; i < 320; i++)
            {
                string source = valid[i % valid.Length];
                switch (i % 5)
                {
                    case 0: yield return DeleteToken(source, random); break;
                    case 1: yield return source.Substring(0, random.Next(source.Length)); break;
                    case 2: yield return ReplaceArgument(source, random); break;
                    case 3: yield return ReplaceWord(source, "Tensor", new[] { "int", "float", "string", "Tensor[]", "object" }, random); break;
                    default: yield return ShuffleLines(source, random); break;
                }
            }
        }

        [Fact]
        public void Three_hundred_broken_sources_never_crash_the_generator_or_the_analyzers()
        {
            int withErrors = 0, compiled = 0, total = 0;
            foreach (string source in Mutants())
            {
                total++;
                var (_, diagnostics, run) = GeneratorHarness.Generate(source);
                var analyzer = GeneratorHarness.Analyze(source);
                foreach (var result in run.Results)
                    Assert.True(result.Exception == null, $"generator threw {result.Exception} on:\n{source}");
                var crash = diagnostics.Concat(analyzer).FirstOrDefault(d => d.Id == "AD0001" || d.Id == "CS8785" || d.Id == "OF0999");
                Assert.True(crash == null, $"{crash} on:\n{source}");
                if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) withErrors++; else compiled++;
            }
            _output.WriteLine($"{total} mutants: {withErrors} with errors, {compiled} compiled");
            Assert.True(total >= 300);
            Assert.True(withErrors > total / 2, "most mutants should be broken");
        }

        private static string DeleteToken(string source, Random random)
        {
            var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().ToList();
            var token = tokens[random.Next(tokens.Count)];
            return source.Remove(token.SpanStart, token.Span.Length);
        }

        private static string ReplaceArgument(string source, Random random)
        {
            var arguments = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes()
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AttributeArgumentSyntax>().ToList();
            var argument = arguments[random.Next(arguments.Count)];
            return source.Remove(argument.SpanStart, argument.Span.Length).Insert(argument.SpanStart, Values[random.Next(Values.Length)]);
        }

        private static string ReplaceWord(string source, string word, string[] replacements, Random random)
        {
            var at = new List<int>();
            for (int i = source.IndexOf(word, StringComparison.Ordinal); i >= 0; i = source.IndexOf(word, i + 1, StringComparison.Ordinal)) at.Add(i);
            int index = at[random.Next(at.Count)];
            return source.Remove(index, word.Length).Insert(index, replacements[random.Next(replacements.Length)]);
        }

        private static string ShuffleLines(string source, Random random)
        {
            var lines = source.Split('\n').ToList();
            int a = random.Next(lines.Count), b = random.Next(lines.Count);
            if (random.Next(2) == 0) (lines[a], lines[b]) = (lines[b], lines[a]);
            else lines.Insert(a, lines[b]);
            return string.Join("\n", lines);
        }
    }
}
