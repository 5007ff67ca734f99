using System.Diagnostics;
using System.Globalization;

// Answers digit queries with the MNIST MLP that samples/Mnist trained and saved (--save FILE), compiled ahead of time
// to native code (dotnet publish -c Release -r linux-x64; PublishAot). One predicted digit per line out.
//   Serve --weights FILE [IMAGES...]     OneFlow.Dsl's inference plan over the saved weights (on --placement cpu:0)
//   Serve --onnx FILE.onnx [IMAGES...]   ONNX Runtime over the model samples/Mnist exported (--export FILE.onnx)
//     IMAGES: MNIST idx files (t10k-images-idx3-ubyte[.gz], one batch each) or text files; without any, standard input.
//     A text line is one image, 784 pixel values 0-255 separated by spaces or commas; a blank line ends a batch.
//     [--bench]  start-up to the first answer, then the latency of one-image batches (median of 2,000)
Options options;
IDigitModel model;
try
{
    options = Options.Parse(args);
    model = options.Onnx is null ? new DslModel(options.Weights!, options.Placement) : new OnnxModel(options.Onnx);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
using (model)
{
    if (options.Bench) return Bench.Run(model);
    var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
    try
    {
        foreach (var batch in Requests.Read(options.Images, Console.In))
        {
            foreach (int digit in model.Predict(batch.Pixels, batch.Rows)) output.WriteLine(digit.ToString(CultureInfo.InvariantCulture));
            output.Flush();
        }
    }
    catch (Exception e) when (e is IOException or InvalidDataException)
    {
        output.Flush();
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}
return 0;

sealed record Options(string? Weights, string? Onnx, string Placement, bool Bench, IReadOnlyList<string> Images)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(null, null, "cpu:0", false, new List<string>());
        var images = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--weights" => o with { Weights = Next() },
                "--onnx" => o with { Onnx = Next() },
                "--placement" => o with { Placement = Next() },
                "--bench" => o with { Bench = true },
                var a when a.StartsWith("--") => throw new ArgumentException($"Unknown option {a}. Options: --weights FILE | --onnx FILE.onnx, --placement cpu:0, --bench, then image files."),
                var file => Add(o, images, file),
            };
        }
        if ((o.Weights is null) == (o.Onnx is null))
            throw new ArgumentException("Give the model: --weights FILE (saved by samples/Mnist --save) or --onnx FILE.onnx (exported by samples/Mnist --export).");
        return o with { Images = images };
    }

    private static Options Add(Options o, List<string> images, string file)
    {
        images.Add(file);
        return o;
    }
}
