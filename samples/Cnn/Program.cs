using System.Diagnostics;
using OneFlow.Dsl;

// Trains a small convolutional network on MNIST with the plan the generator built at compile time: data parallel on
// four CPU devices, batch norm's statistics those of the whole batch.
//   dotnet run -c Release --project samples/Cnn -- --data DIR --epochs N [--placement cpu:0] [--lr 0.01] [--seed 42]
//     [--plan FILE.svg]   the training plan as a graph (SVG where Graphviz dot is installed, DOT text otherwise)
//     [--device cuda]     the same placement on GPUs (cpu:0-3 becomes cuda:0-3)
//     [--bench]           times the training step, one line per figure
//     [--plot FILE.png]   the loss of every step and the accuracy of every epoch, as a chart
//     [--trace FILE.json] what every device thread did, as a Chrome trace (chrome://tracing, Perfetto)
//     [--save FILE]       the trained weights (and batch norm's running statistics) as safetensors
//     [--export FILE.onnx] the trained network as an ONNX model (opset 17, any batch; batch norm on its running statistics)
//     [--mpi]             one process of an MPI job (mpiexec.mpich -n 4 dotnet Cnn.dll --mpi ...): data parallel,
//                         one device per process; rank 0 alone prints and writes files
// With --data, it trains on the first 8,000 images of MNIST's 10,000-image test file and tests on the last 2,000
// (the Mnist sample's split); without, on synthetic digits.
Options options;
MnistData all;
OneFlow.Dsl.Mpi.MpiWorld? world = null;
try
{
    options = Options.Parse(args);
    if (options.Mpi)
    {
        world = OneFlow.Dsl.Mpi.MpiWorld.Start();
        OneFlow.Dsl.Runtime.PlanSessions.Transport = world;
        Console.Error.WriteLine($"rank {world.Rank} pid {Environment.ProcessId}");
        if (world.Rank != 0) Console.SetOut(TextWriter.Null);
    }
    if (options.Device == "cuda") OneFlow.Dsl.Cuda.CudaBackend.Use();
    if (options.Bench) return Bench.Run(options.Device);
    all = options.Data is null ? MnistData.Synthetic(10_000, options.Seed) : MnistData.Load(options.Data);
    if (all.Count < 2 * ConvNet.Batch) throw new InvalidDataException($"{all.Count} images are too few; at least {2 * ConvNet.Batch} are needed.");
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
int trainCount = all.Count * 4 / 5;
var train = all.Slice(0, trainCount);
var test = all.Slice(trainCount, all.Count - trainCount);
Console.WriteLine(options.Data is null
    ? $"synthetic data: {train.Count} training and {test.Count} test images"
    : $"{options.Data}: {train.Count} training and {test.Count} held-out test images (the first {train.Count:N0} and the last {test.Count:N0} of the file)");

var model = new ConvNet(seed: options.Seed);
string? placement = options.Device == "cuda" ? (options.Placement ?? ConvNet.Spec.Placement).Replace("cpu", "cuda") : options.Placement;
var sgd = new Sgd(lr: options.LearningRate, momentum: 0.9f);
ConvNet.Training trainer;
try
{
    trainer = world is not null ? model.Trainer(sgd, DataParallel(ConvNet.Spec, world.Size, options.Placement))
        : placement is null ? model.Trainer(sgd) : model.Trainer(sgd, placement);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
int devices = trainer.Plan.Devices, boxing = trainer.Plan.Ops.Count(o => o.Kind == OneFlow.Dsl.Planner.Ops.OpKind.Boxing);
Console.WriteLine($"plan: {trainer.Plan.Placement}, {devices} device{(devices == 1 ? "" : "s")}, {boxing} boxing op{(boxing == 1 ? "" : "s")}");
if (options.Plan is not null && world is not { Rank: > 0 }) Console.WriteLine($"plan graph written to {PlanGraphFile.Write(trainer.Plan, options.Plan)}");

if (options.Trace is not null && trainer.Session is OneFlow.Dsl.Runtime.PlanSession traced) traced.StartTrace();
var chart = new TrainingPlot("test accuracy");
var order = Enumerable.Range(0, train.Count).ToArray();
var shuffle = new Random(options.Seed);
var x = new float[ConvNet.Batch * MnistData.Pixels];
var y = new int[ConvNet.Batch];
var xs = Tensor.From(x, ConvNet.Batch, 1, 28, 28);
var ys = Tensor.From(y, ConvNet.Batch);
var wall = Stopwatch.StartNew();
for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    shuffle.Shuffle(order);
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    int steps = train.Count / ConvNet.Batch;
    var bar = new ProgressBar(steps);
    for (int s = 0; s < steps; s++)
    {
        for (int i = 0; i < ConvNet.Batch; i++)
        {
            int n = order[s * ConvNet.Batch + i];
            Shifted(train.Images.AsSpan(n * MnistData.Pixels, MnistData.Pixels), x.AsSpan(i * MnistData.Pixels, MnistData.Pixels), shuffle.Next(-2, 3), shuffle.Next(-2, 3));
            y[i] = train.Labels[n];
        }
        // The rate falls along a cosine to 0 over the run: large steps first, then settling into a minimum.
        trainer.Optimizer.LearningRate = (float)(options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * ((epoch - 1) * steps + s) / (options.Epochs * steps))));
        float stepLoss = trainer.Step(xs, ys);
        chart.Loss(stepLoss);
        lossSum += stepLoss;
        bar.Report(s + 1, $"epoch {epoch}  loss {stepLoss:F4}");
    }
    bar.Clear();
    double seconds = clock.Elapsed.TotalSeconds;
    double accuracy = Accuracy(model, test);
    chart.Metric(accuracy);
    Console.WriteLine($"epoch {epoch}/{options.Epochs}  loss {lossSum / steps:F4}  accuracy {accuracy:F4}  {steps * ConvNet.Batch / seconds:F0} samples/s");
}
Console.WriteLine($"trained {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")} in {wall.Elapsed.TotalSeconds:F1} s");
if (options.Chart is not null && world is not { Rank: > 0 })
{
    chart.Save(options.Chart, $"MNIST CNN, {trainer.Plan.Placement}");
    Console.WriteLine($"chart written to {options.Chart}");
}
if (options.Trace is not null && world is not { Rank: > 0 } && trainer.Session is OneFlow.Dsl.Runtime.PlanSession tracing)
{
    tracing.WriteTrace(options.Trace);
    Console.WriteLine($"trace written to {options.Trace}");
}
double testAccuracy = Accuracy(model, test);
if (world is not { Rank: > 0 })
{
    OutputFile.Write(options.Save, "weights", model.SaveWeights);
    OutputFile.Write(options.Export, "ONNX model", model.ExportOnnx);
}
Console.WriteLine($"test accuracy: {testAccuracy:F4}");
// Bringing the trained weights home reads every process's parts: every process does it before leaving the job.
trainer.Dispose();
world?.Dispose();
return 0;

// Data parallel over the job: one device per process, every weight and buffer whole in each, the batch split by rows.
static OneFlow.Dsl.Planner.Model.NetworkSpec DataParallel(OneFlow.Dsl.Planner.Model.NetworkSpec spec, int ranks, string? placement)
    => spec with
    {
        Placement = $"{ranks}/{placement ?? (ranks == 1 ? "cpu:0" : $"cpu:0-{ranks - 1}")}",
        Weights = new(spec.Weights.Select(w => w with { Sbp = "B" }).ToArray()),
        Inputs = new(spec.Inputs.Select(x => x with { Sbp = "S(0)" }).ToArray()),
    };

// Evaluation mode: batch norm normalises with the running statistics training left. Batches of the plan's size;
// the last one is padded and only its real rows are counted.
static double Accuracy(ConvNet model, MnistData data)
{
    int correct = 0;
    var x = new float[ConvNet.Batch * MnistData.Pixels];
    for (int start = 0; start < data.Count; start += ConvNet.Batch)
    {
        int rows = Math.Min(ConvNet.Batch, data.Count - start);
        Array.Clear(x);
        Array.Copy(data.Images, start * MnistData.Pixels, x, 0, rows * MnistData.Pixels);
        float[] logits = model.Infer(Tensor.From(x, ConvNet.Batch, 1, 28, 28)).ToArray();
        for (int r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * 10, 10);
            if (row.IndexOf(MaxOf(row)) == data.Labels[start + r]) correct++;
        }
    }
    return (double)correct / data.Count;
}

// The image moved by (dx, dy) pixels, the background filling in: a digit is the same digit a little to the side, and
// seeing it so is worth more test accuracy than a larger network on 8,000 images.
static void Shifted(ReadOnlySpan<float> image, Span<float> moved, int dx, int dy)
{
    moved.Fill(image[0]);
    for (int r = Math.Max(0, dy); r < Math.Min(28, 28 + dy); r++)
        for (int c = Math.Max(0, dx); c < Math.Min(28, 28 + dx); c++) moved[r * 28 + c] = image[(r - dy) * 28 + c - dx];
}

static float MaxOf(Span<float> row)
{
    float max = row[0];
    foreach (float v in row) max = Math.Max(max, v);
    return max;
}

sealed record Options(string? Data, int Epochs, string? Placement, float LearningRate, int Seed, string? Plan, string Device = "cpu", bool Bench = false, bool Mpi = false, string? Trace = null, string? Chart = null, string? Save = null, string? Export = null)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(null, 5, null, 0.01f, 42, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--data" => o with { Data = Next() },
                "--epochs" => o with { Epochs = int.TryParse(Next(), out int e) && e > 0 ? e : throw new ArgumentException("--epochs takes a positive integer.") },
                "--placement" => o with { Placement = ValidPlacement(Next()) },
                "--plan" => o with { Plan = Next() },
                "--lr" => o with { LearningRate = float.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out float lr) && lr > 0 ? lr : throw new ArgumentException("--lr takes a positive number.") },
                "--seed" => o with { Seed = int.TryParse(Next(), out int s) ? s : throw new ArgumentException("--seed takes an integer.") },
                "--device" => o with { Device = Next() is var d && (d == "cpu" || d == "cuda") ? d : throw new ArgumentException("--device takes cpu or cuda.") },
                "--bench" => o with { Bench = true },
                "--mpi" => o with { Mpi = true },
                "--trace" => o with { Trace = Next() },
                "--plot" => o with { Chart = Next() },
                "--save" => o with { Save = Next() },
                "--export" => o with { Export = Next() },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --data DIR --epochs N --placement cpu:0-3 --device cpu|cuda --lr 0.01 --seed 42 --plan FILE.svg --plot FILE.png --trace FILE.json --save FILE --export FILE.onnx --bench --mpi"),
            };
        }
        if (o.Mpi && o.Device == "cuda")
            throw new ArgumentException("--mpi spreads CPU devices over processes, and the GPU backend runs in one process: use --device cuda without --mpi " +
                "(cuda:0-3 is four streams of the GPU), or --mpi on CPUs.");
        return o;
    }

    private static string ValidPlacement(string text)
        => OneFlow.Dsl.Planner.Model.Placement.TryParse(text, out _, out string error) ? text : throw new ArgumentException("--placement: " + error);
}
