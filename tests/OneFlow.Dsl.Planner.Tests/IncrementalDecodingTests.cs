using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The decoder derived from a causal network: one position in, keys and values cached, the mask offset by
    /// the position, the position embedding looked up; and what it refuses.</summary>
    public class IncrementalDecodingTests
    {
        /// <summary>One head of causal attention over 3 tokens of width 4, with a position embedding, as GPT writes it.</summary>
        private static NetworkSpec Attention(string scores = "CausalSoftmax")
            => new NetworkSpec("Attention", 2, "cpu:0-1",
                Arr(W("tokens", null, 5, 4), W("positions", null, 3, 4), W("wq", null, 4, 4), W("wk", null, 4, 4), W("wv", null, 4, 4), W("head", null, 4, 5)),
                Arr(new TensorDecl("text", DeclKind.Ids, Arr(3), null)),
                Arr(Op("e", "Embedding", "text", "tokens"), Op("x", "Add", "e", "positions"), Shaped("rows", "x", -1, 4),
                    Op("q0", "MatMul", "rows", "wq"), Shaped("q", "q0", -1, 3, 4), Op("k0", "MatMul", "rows", "wk"), Shaped("k", "k0", -1, 3, 4),
                    Op("v0", "MatMul", "rows", "wv"), Shaped("v", "v0", -1, 3, 4), Op("kt", "Transpose", "k"), Op("s", "MatMul", "q", "kt"),
                    Op("a", scores, "s"), Op("o", "MatMul", "a", "v"), Shaped("orows", "o", -1, 4), Op("y0", "MatMul", "orows", "head"),
                    Shaped("y", "y0", -1, 3, 5)),
                "y", NetworkSpec.DefaultLoss("y"), "loss");

        private static OpDecl Shaped(string output, string input, params double[] dims) => Op(output, "Reshape", input) with { Args = Arr(dims) };

        [Fact]
        public void Keys_and_values_are_cached_and_every_other_value_holds_one_position()
        {
            var decoder = IncrementalDecoding.Derive(Attention(), batch: 2, placement: "cpu:0");
            var spec = decoder.Spec;
            Assert.Equal(3, decoder.Context);
            Assert.Equal(new[] { ("text", "1"), (IncrementalDecoding.Position, "1") }, spec.Inputs.Select(x => (x.Name, string.Join(",", x.Dims))));
            Assert.Equal(new[] { "decode.cache.kt [2,4,3]", "decode.cache.v [2,3,4]" }, decoder.Caches.Select(c => $"{c.Name} [{string.Join(",", c.Dims)}]"));
            var byOutput = spec.Forward.ToDictionary(s => s.Output);
            Assert.Equal(new[] { "decode.cache.kt", "kt", IncrementalDecoding.Position }, byOutput["decode.all.kt"].Inputs);
            Assert.Equal(new double[] { 2 }, byOutput["decode.all.kt"].Args);
            Assert.Equal(new[] { "q", "decode.all.kt" }, byOutput["s"].Inputs);
            Assert.Equal(new[] { "a", "decode.all.v" }, byOutput["o"].Inputs);
            Assert.Equal("OffsetCausalSoftmax", byOutput["a"].Op);
            Assert.Equal(new[] { "e", "decode.at.positions" }, byOutput["x"].Inputs);
            Assert.Equal(new double[] { -1, 1, 4 }, byOutput["q"].Args);
            Assert.Equal(new double[] { -1, 4 }, byOutput["rows"].Args);
            Assert.Equal(1, decoder.OutputPositionAxis);

            var plan = NetworkPlanner.Compile(spec, PlanMode.Infer);
            Assert.Equal("[2,1,5]", plan.Tensors[plan.Output].Shape.ToString());
            Assert.Equal(2, plan.Tensors.Count(t => t.Role == TensorRole.Buffer));
        }

        [Fact]
        public void Attention_over_later_positions_is_refused_at_the_softmax()
        {
            var e = Assert.Throws<PlanException>(() => IncrementalDecoding.Derive(Attention("Softmax"), 2, "cpu:0"));
            Assert.Equal("a", e.Subject);
            Assert.Contains("normalises over the positions", e.Message);
        }
    }
}
