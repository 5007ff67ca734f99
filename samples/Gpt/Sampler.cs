using System.Text;
using OneFlow.Dsl;

namespace Gpt;

/// <summary>Draws text from the model one character at a time. <see cref="Generate"/> runs the network's incremental
/// decoder: each character is one step against the cached keys and values of those before. When the context is full
/// the decoder starts again from the last half of it. <see cref="Recompute"/> runs the whole inference plan over the
/// last <see cref="Shape.Context"/> characters for every character, as generation without a cache does.</summary>
public sealed class Sampler : IDisposable
{
    private readonly CharGpt _model;
    private readonly Random _random;
    private readonly IncrementalDecoder _decoder;
    private readonly int[] _token = new int[1];
    private readonly Tensor _next;

    public Sampler(CharGpt model, int seed)
    {
        _model = model;
        _random = new Random(seed);
        _decoder = model.Decoder();
        _next = Tensor.From(_token, 1, 1);
    }

    public string Generate(string prompt, int count)
    {
        var ids = Ids(prompt);
        var output = new StringBuilder();
        var logits = Prime(ids);
        for (int n = 0; n < count; n++)
        {
            int next = Draw(logits);
            ids.Add(next);
            output.Append(CharText.Char(next));
            if (n + 1 < count) logits = _decoder.Position < _decoder.Context ? Step(next) : Prime(ids);
        }
        return output.ToString();
    }

    public string Recompute(string prompt, int count)
    {
        var ids = Ids(prompt);
        var output = new StringBuilder();
        var x = new int[Shape.Context];
        var context = Tensor.From(x, 1, Shape.Context);
        for (int n = 0; n < count; n++)
        {
            int length = Math.Min(ids.Count, Shape.Context);
            // Causal attention: positions after the last filled one change nothing before it.
            Array.Clear(x);
            ids.CopyTo(ids.Count - length, x, 0, length);
            float[] logits = _model.Infer(context).ToArray();
            int next = Draw(logits.AsSpan((length - 1) * Shape.Vocabulary, Shape.Vocabulary));
            ids.Add(next);
            output.Append(CharText.Char(next));
        }
        return output.ToString();
    }

    private static List<int> Ids(string prompt) => (prompt.Length == 0 ? "\n" : prompt).Select(c => Math.Max(0, CharText.Id(c))).ToList();

    /// <summary>Feeds the decoder the text so far from position 0: all of it while it fits, else its last half context.</summary>
    private float[] Prime(List<int> ids)
    {
        _decoder.Reset();
        int keep = ids.Count < _decoder.Context ? ids.Count : _decoder.Context / 2;
        float[] logits = null!;
        foreach (int id in ids.Skip(ids.Count - keep)) logits = Step(id);
        return logits;
    }

    private float[] Step(int token)
    {
        _token[0] = token;
        return _decoder.Step(_next).ToArray();
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

    public void Dispose() => _decoder.Dispose();
}
