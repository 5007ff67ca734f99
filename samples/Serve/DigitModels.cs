using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OneFlow.Dsl;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;

/// <summary>A model that names the digit in each image: 784 standardised pixels per row in, a digit per row out.</summary>
interface IDigitModel : IDisposable
{
    int[] Predict(float[] pixels, int rows);
}

/// <summary>The MLP's inference plan on one placement (a single device by default: for a few rows, hand-offs between
/// device threads would cost more than they save), over the weights samples/Mnist saved.</summary>
sealed class DslModel : IDigitModel
{
    private readonly Inference _inference;

    public DslModel(string weights, string placement)
    {
        var model = new Mlp(seed: 0);
        model.LoadWeights(weights);
        var spec = Mlp.Spec.WithPlacement(placement);
        _inference = new Inference(NetworkPlanner.Compile(spec with { Batch = 1 }, PlanMode.Infer), model.NamedParameters, spec);
    }

    public int[] Predict(float[] pixels, int rows) => Digits.Of(_inference.Run(OneFlow.Dsl.Tensor.From(pixels, rows, MnistData.Pixels)).ToArray(), rows);

    public void Dispose() => _inference.Dispose();
}

/// <summary>ONNX Runtime over the exported model, for comparison.</summary>
sealed class OnnxModel : IDigitModel
{
    private readonly InferenceSession _session;
    private readonly string _input;

    public OnnxModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--onnx {path}: no such file.");
        _session = new InferenceSession(path);
        _input = _session.InputMetadata.Keys.Single();
    }

    public int[] Predict(float[] pixels, int rows)
    {
        var input = NamedOnnxValue.CreateFromTensor(_input, new DenseTensor<float>(pixels.AsMemory(0, rows * MnistData.Pixels), new[] { rows, MnistData.Pixels }));
        using var results = _session.Run(new[] { input });
        return Digits.Of(results[0].AsTensor<float>().ToArray(), rows);
    }

    public void Dispose() => _session.Dispose();
}

static class Digits
{
    /// <summary>The index of each row's largest logit.</summary>
    public static int[] Of(float[] logits, int rows)
    {
        int classes = logits.Length / rows;
        var digits = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            digits[r] = best;
        }
        return digits;
    }
}
