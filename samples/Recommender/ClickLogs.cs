/// <summary>Synthetic click logs drawn from a planted teacher, so that the best reachable AUC is known. Feature f has a
/// vocabulary of its own (from 10 rows to the largest, log-spaced, summing to the total asked for) whose ids are
/// Zipf-distributed (P(rank r) ∝ 1/(r + 1)); the ids of all features share one numbering, feature after feature, as the
/// model's tables hold them. The teacher's logit is a bias, a linear term in the 13 Gaussian dense features, and one
/// value per (feature, id) drawn from a hash, smaller for larger vocabularies (whose tails no model can learn); a click
/// is drawn with the logistic of that logit.</summary>
sealed class ClickLogs
{
    public int[] Categories { get; }
    public float[] Dense { get; }
    public float[] Clicks { get; }
    /// <summary>The teacher's click probabilities: the best any model can score.</summary>
    public double[] Teacher { get; }
    public int Count => Clicks.Length;

    private ClickLogs(int[] categories, float[] dense, float[] clicks, double[] teacher) { Categories = categories; Dense = dense; Clicks = clicks; Teacher = teacher; }

    /// <summary>Rows per feature: log-spaced from 10, scaled so that they sum to <paramref name="total"/>.</summary>
    public static int[] Vocabularies(long total)
    {
        var raw = Enumerable.Range(0, Sizes.Features).Select(f => Math.Pow(10, 1 + 6.0 * f / (Sizes.Features - 1))).ToArray();
        double scale = (total - 10.0 * Sizes.Features) / (raw.Sum() - 10.0 * Sizes.Features);
        if (scale <= 0) throw new ArgumentException($"--vocab-scale {total} is too small: the {Sizes.Features} features need at least {11 * Sizes.Features} rows.");
        var rows = raw.Select(r => (int)Math.Round(10 + (r - 10) * scale)).ToArray();
        // The largest vocabulary takes what rounding left over, so that the ids fill the tables exactly.
        rows[^1] = (int)(total - rows[..^1].Sum(r => (long)r));
        return rows;
    }

    public static ClickLogs Generate(int count, int[] vocabularies, int seed)
    {
        var random = new Random(seed);
        var offsets = new long[Sizes.Features];
        for (int f = 1; f < Sizes.Features; f++) offsets[f] = offsets[f - 1] + vocabularies[f - 1];
        var weights = Enumerable.Range(0, Sizes.Dense).Select(_ => Gaussian(new Random(1000 + _)) * 0.5).ToArray();
        var categories = new int[count * Sizes.Features];
        var dense = new float[count * Sizes.Dense];
        var clicks = new float[count];
        var teacher = new double[count];
        for (int n = 0; n < count; n++)
        {
            double logit = -1.0;
            for (int f = 0; f < Sizes.Features; f++)
            {
                int rank = (int)Math.Min(vocabularies[f] - 1, Math.Pow(vocabularies[f] + 1, random.NextDouble()) - 1);
                categories[n * Sizes.Features + f] = (int)(offsets[f] + rank);
                logit += Value(f, rank) * Strength(vocabularies[f]);
            }
            for (int k = 0; k < Sizes.Dense; k++)
            {
                float x = (float)Gaussian(random);
                dense[n * Sizes.Dense + k] = x;
                logit += weights[k] * x;
            }
            teacher[n] = 1 / (1 + Math.Exp(-logit));
            clicks[n] = random.NextDouble() < teacher[n] ? 1f : 0f;
        }
        return new ClickLogs(categories, dense, clicks, teacher);
    }

    public ClickLogs Slice(int start, int count) => new(Categories[(start * Sizes.Features)..((start + count) * Sizes.Features)],
        Dense[(start * Sizes.Dense)..((start + count) * Sizes.Dense)], Clicks[start..(start + count)], Teacher[start..(start + count)]);

    /// <summary>How much a feature's ids move the logit: less for larger vocabularies.</summary>
    private static double Strength(int vocabulary) => 1.0 / Math.Log10(vocabulary);

    /// <summary>A fixed Gaussian value per (feature, id), from a hash: nothing the size of the vocabulary is stored.</summary>
    private static double Value(int feature, int id)
    {
        ulong h = (ulong)feature * 0x9E3779B97F4A7C15UL ^ (ulong)id * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 33; h *= 0xFF51AFD7ED558CCDUL; h ^= h >> 33; h *= 0xC4CEB9FE1A85EC53UL; h ^= h >> 33;
        double u1 = ((h >> 11) + 0.5) / (1UL << 53), u2 = (((h * 0x2545F4914F6CDD1DUL) >> 11) + 0.5) / (1UL << 53);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The area under the ROC curve of <paramref name="scores"/> against the clicks: the chance that a random click
    /// scores above a random non-click (ties count half).</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<float> clicks)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positives = clicks.Count(c => c > 0.5f), negatives = clicks.Count - positives, rankSum = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]]) j++;
            double rank = (i + j + 1) / 2.0;
            for (int k = i; k < j; k++) if (clicks[order[k]] > 0.5f) rankSum += rank;
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
