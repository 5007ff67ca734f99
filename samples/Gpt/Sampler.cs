using System.Text;
using OneFlow.Dsl;

namespace Gpt;

/// <summary>Draws text from the trained model one character at a time with the inference plan: the last
/// <see cref="Shape.Context"/> characters in, the next drawn from the softmax at the last filled position.</summary>
public sealed class Sampler
{
    private readonly CharGpt _model;
    private readonly Random _random;

    public Sampler(CharGpt model, int seed)
    {
        _model = model;
        _random = new Random(seed);
    }

    public string Generate(string prompt, int count)
    {
        var ids = prompt.Select(c => Math.Max(0, CharText.Id(c))).ToList();
        var output = new StringBuilder();
        var x = new int[Shape.Batch * Shape.Context];
        for (int n = 0; n < count; n++)
        {
            int length = Math.Min(ids.Count, Shape.Context);
            // Causal attention: positions after the last filled one change nothing before it.
            Array.Clear(x);
            ids.CopyTo(ids.Count - length, x, 0, length);
            float[] logits = _model.Infer(Tensor.From(x, Shape.Batch, Shape.Context)).ToArray();
            int next = Draw(logits.AsSpan((length - 1) * Shape.Vocabulary, Shape.Vocabulary));
            ids.Add(next);
            output.Append(CharText.Char(next));
        }
        return output.ToString();
    }

    private int Draw(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        double target = _random.NextDouble() * sum;
        for (int i = 0; i < logits.Length; i++)
            if ((target -= Math.Exp(logits[i] - max)) <= 0) return i;
        return logits.Length - 1;
    }
}
