using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>What Forward's expressions become: statements of the planner's ops, constants as their arguments.</summary>
    public class TranslationTests
    {
        /// <summary>The statements of the generated spec, in order: the op and its constant arguments.</summary>
        private static string[] Statements(string source)
        {
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            string generated = Assert.Single(run.GeneratedTrees).ToString();
            return Regex.Matches(generated, @"SpecBuilder\.Op(?:WithArgs)?\(""[^""]+"", ""(\w+)""[^\n]*?(?:\}((?:, [-\d.E]+)*))?\),?\r?\n")
                .Select(m => m.Groups[1].Value + m.Groups[2].Value).ToArray();
        }

        [Fact]
        public void Constants_on_either_side_lower_to_the_ops_eager_operators_run()
        {
            Assert.Equal(new[]
            {
                "MatMul", "Scale, 0.25",            // x / 4f
                "Neg", "AddScalar, 1",              // 1f - h
                "Mul", "AddScalar, 1", "Reciprocal", "Scale, 2", // 2f / (g * g + 1f)
                "Neg", "Div",                       // -r / d
                "Reshape, -1, 2, 5", "Mean, 1",     // Mean(..., axis: 1)
                "Reshape, -1, 5, 1", "Sum, -1",     // axis: -1 written
                "Scale, 3", "Reshape, -1, 5, 1", "Sum, -1", // the default axis filled in
                "Add", "SoftmaxCrossEntropy",
            }, Statements(Networks.Arithmetic));
        }
    
        [Fact]
        public void Comparison_operators_become_comparisons_with_the_number_as_their_constant()
        {
            Assert.Equal(new[]
            {
                "MatMul",
                "Gt, 0.5", "Neg", "Where",          // Where(h > 0.5f, h, -h)
                "Ge, 1", "MaskedFill, -1000000000", // 1f <= h is h >= 1
                "Ge", "Where", "Ne, 0", "Where", "Add", "Lt", "MaskedFill, 0", "Add",
                "SoftmaxCrossEntropy",
            }, Statements(Networks.Comparisons));
        }
    
        [Fact]
        public void Parts_of_splits_are_taken_by_name_and_by_index_and_tensor_lists_spread()
        {
            Assert.Equal(new[]
            {
                "MatMul",
                "Chunk, 3, -1, 0, 3", "Chunk, 3, -1, 1, 3", "Chunk, 3, -1, 2, 3", // var (q, k, v) = Chunk(h, 3, -1)
                "Stack, 1", "Split, 6, 1, 1, 0", "Sum, 1", "Concat, 1",          // halves[1] taken where it is used
                "SoftmaxCrossEntropy",
            }, Statements(Networks.Parts));
        }
    
        [Fact]
        public void A_weights_init_is_emitted_and_linears_operands_default_to_pytorchs_draw()
        {
            const string source = """
                using OneFlow.Dsl;
                using static OneFlow.Dsl.Ops;

                [Network(Batch = 8)]
                [Placement("cpu:0")]
                public partial class Inits
                {
                    [Weight(16, 6, Init = Init.TruncNormal, Std = 0.02)] Tensor embed;
                    [Weight(5, 16)] Tensor w;
                    [Weight(5)] Tensor b;
                    [Weight(6, 6, Init = Init.XavierUniform)] Tensor square;

                    public Tensor Forward([Input(6)] Tensor x) => Linear(Relu(Linear(MatMul(x, square), embed)), w, b);
                }
                """;
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            string generated = Assert.Single(run.GeneratedTrees).ToString();
            Assert.Contains("embed = global::OneFlow.Dsl.WeightInit.Create(seed, \"embed\", global::OneFlow.Dsl.Init.TruncNormal, 0.02, 16, 6);", generated);
            Assert.Contains("w = global::OneFlow.Dsl.WeightInit.Create(seed, \"w\", global::OneFlow.Dsl.Init.KaimingUniform, 0, 5, 16);", generated);
            Assert.Contains("b = global::OneFlow.Dsl.WeightInit.Create(seed, \"b\", global::OneFlow.Dsl.Init.Uniform, 0.25, 5);", generated);
            Assert.Contains("square = global::OneFlow.Dsl.WeightInit.Create(seed, \"square\", global::OneFlow.Dsl.Init.XavierUniform, 1, 6, 6);", generated);
        }
    }
}
