using OneFlow.Dsl;

namespace Gpt;

/// <summary>The validation loss: mean cross-entropy (nats per character) of the inference plan's logits over
/// windows spread evenly through the validation text, the same windows every time.</summary>
public static class Evaluation
{
    public const int Windows = 600;

    public static double Loss(CharGpt model, int[] ids)
    {
        var x = new int[Shape.Batch * Shape.Context];
        var y = new int[Shape.Batch * Shape.Context];
        int stride = Math.Max(1, (ids.Length - Shape.Context - 1) / Windows);
        double total = 0;
        int rows = 0;
        for (int w = 0; w + Shape.Batch <= Windows; w += Shape.Batch)
        {
            for (int b = 0; b < Shape.Batch; b++) Batches.Window(ids, ((w + b) * stride) % (ids.Length - Shape.Context - 1), b, x, y);
            float[] logits = model.Infer(Tensor.From(x, Shape.Batch, Shape.Context)).ToArray();
            for (int r = 0; r < y.Length; r++) total += CrossEntropy(logits.AsSpan(r * Shape.Vocabulary, Shape.Vocabulary), y[r]);
            rows += y.Length;
        }
        return total / rows;
    }

    /// <summary>−log softmax(row)[label], computed stably in double.</summary>
    public static double CrossEntropy(ReadOnlySpan<float> row, int label)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return Math.Log(sum) + max - row[label];
    }
}
