using System.Diagnostics;
using OneFlow.Dsl;

// Trains the README's MLP on MNIST with the plan the generator built at compile time: data-parallel input,
// column- then row-parallel weights, on four CPU devices.
//   dotnet run -c Release --project samples/Mnist -- --data DIR --epochs N [--placement cpu:0] [--lr 0.1] [--seed 42]
//     [--plan FILE.svg]   the training plan as a graph (SVG where Graphviz dot is installed, DOT text otherwise)
//     [--device cuda]     the same placement on GPUs (cpu:0-3 becomes cuda:0-3)
//     [--bench]           times the training step (and, on cuda, SGEMM and a large add), one line per figure
//     [--plot FILE.png]   the loss of every step and the accuracy of every epoch, as a chart
//     [--trace FILE.json] what every device thread did, as a Chrome trace (chrome://tracing, Perfetto)
//     [--save FILE]       the trained weights as safetensors (what samples/Serve answers with)
//     [--export FILE.onnx] the trained network as an ONNX model (opset 17, any batch), for ONNX Runtime and others
//     [--mpi]             one process of an MPI job (mpiexec.mpich -n 4 dotnet Mnist.dll --mpi ...): trains data
//                         parallel, one device per process ("4/cpu:0-3"); rank 0 alone prints and writes files
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
        // Which process trains as which rank: the pid to look at, stop or kill.
        Console.Error.WriteLine($"rank {world.Rank} pid {Environment.ProcessId}");
        if (world.Rank != 0) Console.SetOut(TextWriter.Null);
    }
    if (options.Device == "cuda") OneFlow.Dsl.Cuda.CudaBackend.Use();
    if (options.Bench) return Bench.Run(options.Device);
    all = options.Data is null ? MnistData.Synthetic(10_000, options.Seed) : MnistData.Load(options.Data);
    if (all.Count < 2 * Mlp.Batch) throw new InvalidDataException($"{all.Count} images are too few; at least {2 * Mlp.Batch} are needed.");
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
int trainCount = all.Count * 4 / 5;
var train = all.Slice(0, trainCount);
var test = all.Slice(trainCount, all.Count - trainCount);
Console.WriteLine($"{(options.Data is null ? "synthetic data" : options.Data)}: {train.Count} training and {test.Count} test images");

var model = new Mlp(seed: options.Seed);
string? placement = options.Device == "cuda" ? (options.Placement ?? Mlp.Spec.Placement).Replace("cpu", "cuda") : options.Placement;
Mlp.Training trainer;
try
{
    trainer = world is not null ? model.Trainer(new Sgd(lr: options.LearningRate), DataParallel(Mlp.Spec, world.Size, options.Placement))
        : placement is null ? model.Trainer(new Sgd(lr: options.LearningRate)) : model.Trainer(new Sgd(lr: options.LearningRate), placement);
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
var x = new float[Mlp.Batch * MnistData.Pixels];
var y = new int[Mlp.Batch];
var xs = Tensor.From(x, Mlp.Batch, MnistData.Pixels);
var ys = Tensor.From(y, Mlp.Batch);
for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    shuffle.Shuffle(order);
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    int steps = train.Count / Mlp.Batch;
    var bar = new ProgressBar(steps);
    for (int s = 0; s < steps; s++)
    {
        for (int i = 0; i < Mlp.Batch; i++)
        {
            int n = order[s * Mlp.Batch + i];
            Array.Copy(train.Images, n * MnistData.Pixels, x, i * MnistData.Pixels, MnistData.Pixels);
            y[i] = train.Labels[n];
        }
        float stepLoss = trainer.Step(xs, ys);
        chart.Loss(stepLoss);
        lossSum += stepLoss;
        bar.Report(s + 1, $"epoch {epoch}  loss {stepLoss:F4}");
    }
    bar.Clear();
    double seconds = clock.Elapsed.TotalSeconds;
    double accuracy = Accuracy(model, test);
    chart.Metric(accuracy);
    Console.WriteLine($"epoch {epoch}/{options.Epochs}  loss {lossSum / steps:F4}  accuracy {accuracy:F4}  {steps * Mlp.Batch / seconds:F0} samples/s");
}
if (options.Chart is not null && world is not { Rank: > 0 })
{
    chart.Save(options.Chart, $"MNIST, {trainer.Plan.Placement}");
    Console.WriteLine($"chart written to {options.Chart}");
}
if (options.Trace is not null && world is not { Rank: > 0 } && trainer.Session is OneFlow.Dsl.Runtime.PlanSession tracing)
{
    tracing.WriteTrace(options.Trace);
    Console.WriteLine($"trace written to {options.Trace}");
}
if (world is not null && trainer.Session is OneFlow.Dsl.Runtime.PlanSession session)
{
    var (wall, compute, communication) = session.Timing;
    double hidden = communication > 0 ? Math.Clamp((compute + communication - wall) / communication, 0, 1) : 0;
    Console.WriteLine($"rank 0 of {world.Size}: {wall:F2} s in training steps; compute {compute:F2} s (busiest device), " +
                      $"communication {communication:F2} s, {hidden:P0} of it hidden behind compute");
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

// Data parallel over the job: one device per process (or the --placement given, spread over the processes), every
// weight whole in each, the batch split by rows; each weight's gradient is one all-reduce between the processes.
static OneFlow.Dsl.Planner.Model.NetworkSpec DataParallel(OneFlow.Dsl.Planner.Model.NetworkSpec spec, int ranks, string? placement)
    => spec with
    {
        Placement = $"{ranks}/{placement ?? (ranks == 1 ? "cpu:0" : $"cpu:0-{ranks - 1}")}",
        Weights = new(spec.Weights.Select(w => w with { Sbp = "B" }).ToArray()),
        Inputs = new(spec.Inputs.Select(x => x with { Sbp = "S(0)" }).ToArray()),
    };

// The inference plan takes whole batches; the last one is padded and only its real rows are counted.
static double Accuracy(Mlp model, MnistData data)
{
    int correct = 0;
    var x = new float[Mlp.Batch * MnistData.Pixels];
    for (int start = 0; start < data.Count; start += Mlp.Batch)
    {
        int rows = Math.Min(Mlp.Batch, data.Count - start);
        Array.Clear(x);
        Array.Copy(data.Images, start * MnistData.Pixels, x, 0, rows * MnistData.Pixels);
        float[] logits = model.Infer(Tensor.From(x, Mlp.Batch, MnistData.Pixels)).ToArray();
        for (int r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * 10, 10);
            if (row.IndexOf(MaxOf(row)) == data.Labels[start + r]) correct++;
        }
    }
    return (double)correct / data.Count;
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
        var o = new Options(null, 10, null, 0.1f, 42, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--data" => o with { Data = Next() },
                "--epochs" => o with { Epochs = int.TryParse(Next(), out int e) && e > 0 ? e : throw new ArgumentException("--epochs takes a positive integer.") },
                "--placement" => o with { Placement = ValidPlacement(Next()) },
                "--plan" => o with { Plan = Next() },
                "--lr" => o with { LearningRate = float.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out float lr) ? lr : throw new ArgumentException("--lr takes a number.") },
                "--seed" => o with { Seed = int.TryParse(Next(), out int s) ? s : throw new ArgumentException("--seed takes an integer.") },
                "--device" => o with { Device = Next() is var d && (d == "cpu" || d == "cuda") ? d : throw new ArgumentException("--device takes cpu or cuda.") },
                "--bench" => o with { Bench = true },
                "--mpi" => o with { Mpi = true },
                "--trace" => o with { Trace = Next() },
                "--plot" => o with { Chart = Next() },
                "--save" => o with { Save = Next() },
                "--export" => o with { Export = Next() },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --data DIR --epochs N --placement cpu:0-3 --device cpu|cuda --lr 0.1 --seed 42 --plan FILE.svg --plot FILE.png --trace FILE.json --save FILE --export FILE.onnx --bench --mpi"),
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
