using System.Diagnostics;
using System.Globalization;
using OneFlow.Dsl;

// Trains a Wide & Deep click model on synthetic logs drawn from a planted teacher, with both embedding tables split
// by vocabulary over four CPU devices and updated from the rows each batch touched. Prints a line per epoch, then
// `teacher auc: 0.XXXX` (the planted model's AUC on the held-out clicks: the best reachable) and last `test auc: 0.XXXX`.
//   dotnet run -c Release --project samples/Recommender -- [--epochs 1] [--vocab-scale 100000] [--placement cpu:0-3]
//     [--vocab-scale ROWS]  the rows of all 26 vocabularies together (10 rows for the smallest, log-spaced up)
//     [--plot FILE.png] [--trace FILE.json] [--seed 42]
//     [--bench]             the training step's time and the planned memory per device at this vocabulary
//     [--mpi]               one process of an MPI job (mpiexec.mpich -n 4 dotnet Recommender.dll --mpi): a device per
//                           process, the tables split over the processes; rank 0 alone prints
Options options;
OneFlow.Dsl.Mpi.MpiWorld? world = null;
int[] vocabularies;
try
{
    options = Options.Parse(args);
    vocabularies = ClickLogs.Vocabularies(options.Rows);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (options.Mpi)
{
    world = OneFlow.Dsl.Mpi.MpiWorld.Start();
    OneFlow.Dsl.Runtime.PlanSessions.Transport = world;
    if (world.Rank != 0) Console.SetOut(TextWriter.Null);
}
string placement = world is null ? options.Placement : $"{world.Size}/cpu:0-{world.Size - 1}";
var spec = ClickModel.Spec.WithWeight("deep", (int)options.Rows, Sizes.Width).WithWeight("wide", (int)options.Rows, 1).WithPlacement(placement);
var model = new ClickModel(options.Seed, spec);
using var trainer = model.Trainer(new Adam(options.LearningRate));
long peak = trainer.Plan.ArenaBytes.Max();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"plan: {trainer.Plan.Placement}, tables of {options.Rows:N0} rows split by vocabulary, {peak:N0} bytes on the fullest device"));
if (options.Bench) return Bench.Run(trainer, vocabularies, options.Seed);

var all = ClickLogs.Generate(options.Samples * 11 / 10, vocabularies, options.Seed);
var train = all.Slice(0, options.Samples);
var test = all.Slice(options.Samples, all.Count - options.Samples);
if (options.Trace is not null && trainer.Session is OneFlow.Dsl.Runtime.PlanSession traced) traced.StartTrace();
var chart = new TrainingPlot("test AUC");
var categories = new int[Sizes.Batch * Sizes.Features];
var dense = new float[Sizes.Batch * Sizes.Dense];
var clicks = new float[Sizes.Batch];
Tensor xc = Tensor.From(categories, Sizes.Batch, Sizes.Features), xd = Tensor.From(dense, Sizes.Batch, Sizes.Dense), y = Tensor.From(clicks, Sizes.Batch, 1);
var order = Enumerable.Range(0, train.Count).ToArray();
var shuffle = new Random(options.Seed);
double auc = 0;
for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    shuffle.Shuffle(order);
    int steps = train.Count / Sizes.Batch;
    var bar = new ProgressBar(steps);
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    for (int s = 0; s < steps; s++)
    {
        for (int i = 0; i < Sizes.Batch; i++)
        {
            int n = order[s * Sizes.Batch + i];
            Array.Copy(train.Categories, n * Sizes.Features, categories, i * Sizes.Features, Sizes.Features);
            Array.Copy(train.Dense, n * Sizes.Dense, dense, i * Sizes.Dense, Sizes.Dense);
            clicks[i] = train.Clicks[n];
        }
        float loss = trainer.Step(xc, xd, y);
        lossSum += loss;
        chart.Loss(loss);
        bar.Report(s + 1, string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}  loss {loss:F4}"));
    }
    bar.Clear();
    double seconds = clock.Elapsed.TotalSeconds;
    auc = TestAuc(model, test);
    chart.Metric(auc);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch}/{options.Epochs}  loss {lossSum / steps:F4}  test auc {auc:F4}  {steps * Sizes.Batch / seconds:F0} samples/s"));
}
if (options.Trace is not null && trainer.Session is OneFlow.Dsl.Runtime.PlanSession tracing && world is not { Rank: > 0 })
{
    tracing.WriteTrace(options.Trace);
    Console.WriteLine($"trace written to {options.Trace}");
}
if (options.Chart is not null && world is not { Rank: > 0 })
{
    chart.Save(options.Chart, $"Wide & Deep clicks, {options.Rows:N0} rows on {trainer.Plan.Placement}");
    Console.WriteLine($"chart written to {options.Chart}");
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"teacher auc: {ClickLogs.Auc(test.Teacher, test.Clicks):F4}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test auc: {auc:F4}"));
trainer.Dispose();
world?.Dispose();
return 0;

// The model's AUC on the held-out clicks, its logits computed in batches of the training size.
static double TestAuc(ClickModel model, ClickLogs test)
{
    var scores = new double[test.Count];
    for (int start = 0; start < test.Count; start += Sizes.Batch)
    {
        int rows = Math.Min(Sizes.Batch, test.Count - start);
        var c = test.Categories[(start * Sizes.Features)..((start + rows) * Sizes.Features)];
        var d = test.Dense[(start * Sizes.Dense)..((start + rows) * Sizes.Dense)];
        float[] logits = model.Infer(Tensor.From(c, rows, Sizes.Features), Tensor.From(d, rows, Sizes.Dense)).ToArray();
        for (int r = 0; r < rows; r++) scores[start + r] = logits[r];
    }
    return ClickLogs.Auc(scores, test.Clicks);
}

sealed record Options(int Epochs, long Rows, string Placement, int Samples, float LearningRate, int Seed, bool Bench, bool Mpi, string? Chart, string? Trace)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(1, 100_000, "cpu:0-3", 400_000, 0.005f, 42, false, false, null, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Count(string name) => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{name} takes a positive whole number.");
            o = args[i] switch
            {
                "--epochs" => o with { Epochs = Count("--epochs") },
                "--vocab-scale" => o with { Rows = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && r >= 1 && r <= int.MaxValue ? (long)r
                    : throw new ArgumentException("--vocab-scale takes the total rows of the vocabularies, e.g. 100000 or 4e7 (at most 2^31).") },
                "--placement" => o with { Placement = OneFlow.Dsl.Planner.Model.Placement.TryParse(Next(), out _, out string error) ? args[i] : throw new ArgumentException("--placement: " + error) },
                "--samples" => o with { Samples = Count("--samples") },
                "--lr" => o with { LearningRate = float.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out float lr) && lr > 0 ? lr : throw new ArgumentException("--lr takes a positive number.") },
                "--seed" => o with { Seed = Count("--seed") },
                "--bench" => o with { Bench = true },
                "--mpi" => o with { Mpi = true },
                "--plot" => o with { Chart = Next() },
                "--trace" => o with { Trace = Next() },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --epochs 1 --vocab-scale 100000 --placement cpu:0-3 --samples 400000 --lr 0.005 --seed 42 --plot FILE.png --trace FILE.json --bench --mpi"),
            };
        }
        return o;
    }
}
