using System.IO.Compression;

/// <summary>Images (28×28 = 784 floats each, standardised with MNIST's pixel mean and deviation) and their digit labels.</summary>
sealed record MnistData(float[] Images, int[] Labels)
{
    public const int Pixels = 784;
    private const float Mean = 0.1307f, Deviation = 0.3081f;
    public int Count => Labels.Length;

    public MnistData Slice(int start, int count)
        => new(Images[(start * Pixels)..((start + count) * Pixels)], Labels[start..(start + count)]);

    /// <summary>Reads the IDX image and label files in <paramref name="dir"/>, gzipped or raw; the 10,000-image
    /// test split (t10k-*) when present, else the training split.</summary>
    public static MnistData Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data {dir}: no such directory.");
        string images = Find(dir, "images-idx3-ubyte"), labels = Find(dir, "labels-idx1-ubyte");
        float[] pixels = ReadImages(images);
        int count = pixels.Length / Pixels;
        byte[] labelBytes = ReadAll(labels);
        if (Header(labelBytes, 2049, labels) != count || labelBytes.Length < 8 + count)
            throw new InvalidDataException($"{images} has {count} images but {labels} has a different number of labels.");
        return new MnistData(pixels, labelBytes[8..(8 + count)].Select(b => (int)b).ToArray());
    }

    /// <summary>The images of an IDX image file (gzipped or raw), standardised.</summary>
    public static float[] ReadImages(string path)
    {
        byte[] bytes = ReadAll(path);
        int count = Header(bytes, 2051, path);
        if (BigEndian(bytes, 8) != 28 || BigEndian(bytes, 12) != 28 || bytes.Length < 16 + count * Pixels)
            throw new InvalidDataException($"{path}: expected {count} images of 28x28 pixels; the file is truncated or not MNIST.");
        var pixels = new float[count * Pixels];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = Standardise(bytes[16 + i]);
        return pixels;
    }

    /// <summary>A pixel value 0-255 as the network was trained to see it.</summary>
    public static float Standardise(float pixel) => (pixel / 255f - Mean) / Deviation;

    /// <summary>A deterministic stand-in with the same shapes: ten fixed random prototypes, each sample a noisy
    /// copy of its class's prototype, so that a network can learn it and the sample always runs.</summary>
    public static MnistData Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        var prototypes = new float[10][];
        for (int c = 0; c < 10; c++) prototypes[c] = Enumerable.Range(0, Pixels).Select(_ => random.NextSingle() < 0.2f ? 1f : 0f).ToArray();
        var images = new float[count * Pixels];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(10);
            for (int p = 0; p < Pixels; p++)
                images[i * Pixels + p] = Math.Clamp(prototypes[labels[i]][p] + (random.NextSingle() - 0.5f) * 0.9f, 0f, 1f);
        }
        return new MnistData(images, labels);
    }

    private static string Find(string dir, string kind)
    {
        var files = Directory.GetFiles(dir).Where(f => Path.GetFileName(f).Contains(kind)).OrderByDescending(f => Path.GetFileName(f).StartsWith("t10k")).ToList();
        return files.FirstOrDefault() ?? throw new FileNotFoundException($"--data {dir}: no *{kind}[.gz] file there.");
    }

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz") ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static int Header(byte[] bytes, int magic, string path)
        => bytes.Length >= 8 && BigEndian(bytes, 0) == magic
            ? BigEndian(bytes, 4)
            : throw new InvalidDataException($"{path} is not an IDX file (magic number {magic} expected).");

    private static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}
