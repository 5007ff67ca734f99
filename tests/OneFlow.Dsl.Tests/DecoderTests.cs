using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Attention over every position, later ones included: no causal mask, so it cannot be decoded one
    /// position at a time.</summary>
    [Network(Batch = 2)]
    [Placement("cpu:0")]
    public partial class Bidirectional
    {
        [Weight(5, 4)] Tensor tokens;
        [Weight(4, 4)] Tensor wq;

        public Tensor Forward([Input(3), Ids] Tensor text)
        {
            var x = Embedding(text, tokens);
            var q = Reshape(MatMul(Reshape(x, -1, 4), wq), -1, 3, 4);
            return MatMul(Softmax(MatMul(q, Transpose(x))), x);
        }

        public Tensor Loss(Tensor output, [Input(3, 4)] Tensor target) => MseLoss(output, target);
    }

    /// <summary>A summary of the whole sequence: every position's output depends on all of them.</summary>
    [Network(Batch = 2)]
    [Placement("cpu:0")]
    public partial class Pooled
    {
        [Weight(5, 4)] Tensor tokens;

        public Tensor Forward([Input(3), Ids] Tensor text) => Mean(Embedding(text, tokens), axis: 1);
    }

    /// <summary>The incremental decoder derived from a causal network gives, one position at a time against its cached
    /// keys and values, the network's own outputs over the whole sequence at every position.</summary>
    public class DecoderTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void The_gpt_samples_decoder_gives_the_full_forward_at_each_of_64_positions(int batch)
        {
            var model = new Gpt.CharGpt(seed: 5);
            var tokens = Tokens(batch, Gpt.Shape.Context, Gpt.Shape.Vocabulary, seed: batch);
            float[] full = model.Infer(Tensor.From(tokens, batch, Gpt.Shape.Context)).ToArray();
            using var decoder = model.Decoder(batch);
            Assert.Equal(Gpt.Shape.Context, decoder.Context);
            CheckEveryPosition(decoder, tokens, full, batch, Gpt.Shape.Context, Gpt.Shape.Vocabulary);
        }

        [Fact]
        public void A_decoder_of_modules_in_pipeline_stages_gives_the_full_forward_and_starts_again_after_reset()
        {
            var model = new TinyGpt(seed: 3);
            foreach (var (_, w) in model.NamedParameters) w.CopyFrom(Data.Floats(w.Length.GetHashCode(), (int)w.Length).ToArray());
            const int batch = 2, context = 3, vocabulary = 10;
            var tokens = Tokens(batch, context, vocabulary, seed: 4);
            float[] full = model.Infer(Tensor.From(tokens, batch, context)).ToArray();
            using var decoder = model.Decoder(batch);
            CheckEveryPosition(decoder, tokens, full, batch, context, vocabulary);
            var e = Assert.Throws<InvalidOperationException>(() => decoder.Step(Column(tokens, batch, context, 0)));
            Assert.Contains("Reset()", e.Message);
            decoder.Reset();
            CheckEveryPosition(decoder, tokens, full, batch, context, vocabulary);
        }

        [Fact]
        public void Attention_without_a_causal_mask_is_refused_with_the_statement_that_needs_later_positions()
        {
            var e = Assert.Throws<PlanException>(() => new Bidirectional(seed: 1).Decoder());
            Assert.Contains("cannot be decoded one position at a time", e.Message);
            Assert.Contains("normalises over the positions", e.Message);
        }

        [Fact]
        public void A_mean_over_the_sequence_is_refused()
        {
            var e = Assert.Throws<PlanException>(() => new Pooled(seed: 1).Decoder());
            Assert.Contains("reduces over the positions", e.Message);
        }

        private static void CheckEveryPosition(IncrementalDecoder decoder, int[] tokens, float[] full, int batch, int context, int vocabulary)
        {
            for (int p = 0; p < context; p++)
            {
                Assert.Equal(p, decoder.Position);
                var logits = decoder.Step(Column(tokens, batch, context, p));
                Assert.Equal(new[] { batch, vocabulary }, logits.Shape);
                var expected = Enumerable.Range(0, batch).SelectMany(b => full.Skip((b * context + p) * vocabulary).Take(vocabulary)).ToArray();
                TorchPeer.Close($"position {p}", logits.ToArray(), expected);
            }
        }

        private static Tensor Column(int[] tokens, int batch, int context, int p)
            => Tensor.From(Enumerable.Range(0, batch).Select(b => tokens[b * context + p]).ToArray(), batch, 1);

        private static int[] Tokens(int batch, int context, int vocabulary, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, batch * context).Select(_ => random.Next(vocabulary)).ToArray();
        }
    }
}
