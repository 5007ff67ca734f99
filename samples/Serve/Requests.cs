using System.Globalization;

/// <summary>Batches of images to answer: each MNIST idx file whole, or the lines of text files (standard input without
/// any), a blank line or the end ending a batch.</summary>
static class Requests
{
    public sealed record Batch(float[] Pixels, int Rows);

    public static IEnumerable<Batch> Read(IReadOnlyList<string> files, TextReader input)
    {
        if (files.Count == 0)
        {
            foreach (var batch in Lines(input, "standard input")) yield return batch;
            yield break;
        }
        foreach (string file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such file.");
            if (file.Contains("idx3-ubyte", StringComparison.Ordinal))
            {
                var pixels = MnistData.ReadImages(file);
                yield return new Batch(pixels, pixels.Length / MnistData.Pixels);
                continue;
            }
            using var reader = File.OpenText(file);
            foreach (var batch in Lines(reader, file)) yield return batch;
        }
    }

    private static IEnumerable<Batch> Lines(TextReader reader, string source)
    {
        var pixels = new List<float>();
        int line = 0;
        for (string? text = reader.ReadLine(); ; text = reader.ReadLine())
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                if (pixels.Count > 0) yield return new Batch(pixels.ToArray(), pixels.Count / MnistData.Pixels);
                pixels.Clear();
                if (text is null) yield break;
                continue;
            }
            pixels.AddRange(Image(text, source, line));
        }
    }

    private static IEnumerable<float> Image(string text, string source, int line)
    {
        var values = text.Split(new[] { ' ', ',', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (values.Length != MnistData.Pixels)
            throw new InvalidDataException($"{source}, line {line}: {values.Length} values; an image is {MnistData.Pixels} pixel values 0-255.");
        return values.Select((v, i) => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float p) && p >= 0 && p <= 255
            ? MnistData.Standardise(p)
            : throw new InvalidDataException($"{source}, line {line}: value {i + 1} is '{v}'; pixel values are numbers from 0 to 255."));
    }
}
