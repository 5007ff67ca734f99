using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>A mistake in a network is reported once, in its own words: the network's members are still generated
    /// (so code using it compiles), its fields raise no warnings, every bad layout string is reported in one build, and
    /// messages name what the source wrote.</summary>
    public class NoiseTests
    {
        /// <summary>The README's network with code that uses every generated member.</summary>
        private static string Used(string network) => network + """

            static class Use
            {
                static void Run()
                {
                    var model = new Mlp(seed: 1);
                    using var trainer = model.Trainer(new Sgd(0.1f));
                    trainer.Step(Tensor.Zeros(64, 784), Tensor.From(new int[64], 64));
                    System.Console.WriteLine(Mlp.PlanReport + model.Infer(Tensor.Zeros(1, 784)) + model.Parameters.Count);
                    model.Eval();
                    model.SaveWeights("w.safetensors");
                }
            }
            """;

        private static string Mlp(string from, string to)
        {
            Assert.Contains(from, Networks.Mlp);
            return Networks.Mlp.Replace(from, to);
        }

        [Theory]
        [InlineData("OF0001", "var h = Relu(MatMul(x, w1) + b1);", "var h = Relu(MatMul(x, w2) + b1);")]
        [InlineData("OF0004", "Sbp(\"S(1)\")] Tensor w1", "Sbp(\"S1\")] Tensor w1")]
        [InlineData("OF0006", "[Placement(\"cpu:0-3\")]", "[Placement(\"cpu:3-0\")]")]
        [InlineData("OF0014", "        return MatMul(h, w2) + b2;\n    }", "        return MatMul(h, w2) + b2;\n    }\n    public Tensor Loss(Tensor y, Tensor labels) => y;")]
        [InlineData("OF0009", "var h = Relu(MatMul(x, w1) + b1);", "var h = Relu(MatMul(x, w1) + b1); foreach (var b in blocks) h = b.Forward(h);")]
        public void One_planted_mistake_is_one_error(string id, string from, string to)
        {
            string source = Used(Mlp(from, to));
            if (id == "OF0009")
                source = source.Replace("[Weight(10)]                    Tensor b2;", "[Weight(10)] Tensor b2;\n    Block[] blocks = new Block[0];")
                         + "\npublic class Block { public Tensor Forward(Tensor x) => x; }\n";
            var reported = GeneratorHarness.Build(source);
            Assert.True(reported.Length == 1, "expected one diagnostic, got:\n" + string.Join("\n", reported));
            Assert.Equal(id, reported[0].Id);
            Assert.Equal(DiagnosticSeverity.Error, reported[0].Severity);
        }

        [Fact]
        public void A_valid_network_and_its_use_build_clean()
            => Assert.Empty(GeneratorHarness.Build(Used(Networks.Mlp)));

        /// <summary>A module holding modules creates them and lists their weights through them: its generated half
        /// never reaches into their private fields, so modules nest with private fields as a network holds them.</summary>
        [Fact]
        public void Modules_three_deep_with_private_fields_build_clean()
        {
            string source = Networks.Nested + """

                static class Use
                {
                    static void Run()
                    {
                        var model = new Nested(seed: 1);
                        System.Console.WriteLine(model.NamedParameters.Count + model.Buffers.Count);
                    }
                }
                """;
            Assert.Empty(GeneratorHarness.Build(source));
            var (_, _, run) = GeneratorHarness.Generate(source);
            string outer = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("Outer.g.cs", System.StringComparison.Ordinal)).ToString();
            Assert.Contains("middle = new global::Middle(seed, path + \".middle\");", outer);
            Assert.DoesNotContain("middle.first", outer);
            Assert.DoesNotContain("middle.bias", outer);
        }

        [Fact]
        public void Every_bad_sbp_string_is_reported_in_one_build()
        {
            string source = Mlp("Sbp(\"S(1)\")] Tensor w1", "Sbp(\"S1\")] Tensor w1").Replace("Sbp(\"S(0)\")] Tensor b1", "Sbp(\"Q\")] Tensor b1");
            var sbp = GeneratorHarness.Build(Used(source)).Where(d => d.Id == "OF0004").ToList();
            Assert.Equal(2, sbp.Count);
            Assert.Contains(sbp, d => d.GetMessage().Contains("Sbp(\"S1\") on w1"));
            Assert.Contains(sbp, d => d.GetMessage().Contains("Sbp(\"Q\") on b1"));
        }

        [Fact]
        public void A_class_with_a_Forward_but_no_Module_attribute_is_named()
        {
            string source = Used(Mlp("var h = Relu(MatMul(x, w1) + b1);", "var h = Relu(MatMul(x, w1) + b1); h = block.Forward(h);")
                .Replace("[Weight(10)]                    Tensor b2;", "[Weight(10)] Tensor b2;\n    Block block = new Block();")) + "\npublic class Block { public Tensor Forward(Tensor x) => x; }\n";
            var d = Assert.Single(GeneratorHarness.Build(source));
            Assert.Equal("OF0009", d.Id);
            Assert.Contains("'Block' is not a module: mark the class [Module]", d.GetMessage());
        }

        [Fact]
        public void An_unknown_function_is_named_at_its_own_call()
        {
            string source = Used(Mlp("var h = Relu(MatMul(x, w1) + b1);", "var h = Relu(Conv3d(x, w1) + b1);"));
            var reported = GeneratorHarness.Build(source);
            var ours = Assert.Single(reported, d => d.Id.StartsWith("OF"));
            Assert.Equal("Conv3d(x, w1)", source.Substring(ours.Location.SourceSpan.Start, ours.Location.SourceSpan.Length));
            Assert.Contains("'Conv3d' is not an op of OneFlow.Dsl.Ops", ours.GetMessage());
            // The compiler names the missing method too; nothing else is reported.
            Assert.Equal(new[] { "CS0103", "OF0009" }, reported.Select(d => d.Id).OrderBy(i => i));
        }

        [Fact]
        public void Messages_name_the_source_text_of_intermediate_values()
        {
            var d = Assert.Single(GeneratorHarness.Build(Used(Mlp("return MatMul(h, w2) + b2;", "return MatMul(MatMul(h, w2), w2) + b2;"))));
            Assert.Equal("OF0001", d.Id);
            Assert.Contains("MatMul(h, w2) is [64,10]", d.GetMessage());
            Assert.DoesNotContain("%", d.GetMessage());
        }
    }
}
