// Trains the character-level GPT of Gpt.cs on a text with the plan the generator built at compile time: data,
// tensor and pipeline parallel over four CPU devices. Prints a progress line every --log-every steps, then 200
// characters sampled from the trained model, and last `val loss: X.XXXX` (nats per character).
//
//   dotnet run -c Release --project samples/Gpt -- --data ../shared/data/tinyshakespeare/input.txt
//     [--steps 2000] [--lr 0.001] [--seed 42] [--log-every 100] [--micro-batches M] [--trace FILE.json]
//     [--plot FILE.png] [--plan FILE.svg] [--bench] [--save FILE] [--export FILE.onnx]
//     --save FILE       the trained weights as safetensors; --export FILE.onnx the network as an ONNX model
//
// Generates from saved weights instead of training, one character per step of the KV-cache decoder, and prints the
// text, then last `tokens/s: X` (characters per second, one sequence):
//   dotnet run -c Release --project samples/Gpt -- --generate 500 --prompt "ROMEO:" --weights FILE [--seed 42]
//     [--recompute]     without the cache: the whole context through the inference plan for every character
// On a terminal a progress bar runs under the progress lines; redirected, only the lines are written.
//     [--device cuda]   trains on a GPU: every placement's cpu becomes cuda, one micro-batch per step (the GPU
//                       backend streams one piece at a time); sampling and the val loss run on the CPU
using System.Diagnostics;
using System.Globalization;
using Gpt;
using OneFlow.Dsl;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (options.Generate is int count) return Generate(options, count);
CharText text;
try
{
    text = options.Data is null ? CharText.Synthetic(options.Seed) : CharText.Load(options.Data);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (text.Replaced > 0) Console.WriteLine($"{text.Replaced} characters outside newline and printable ASCII read as '?'");

var model = new CharGpt(seed: options.Seed);
var optimizer = new AdamW(options.LearningRate, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f)
{
    Schedule = LearningRateSchedule.WarmupCosine(Math.Min(100, options.Steps / 10), options.Steps),
    ClipGradientNorm = 1f,
};
if (options.Device == "cuda") OneFlow.Dsl.Cuda.CudaBackend.Use();
var spec = options.Device == "cuda"
    ? CharGpt.Spec.OnDeviceType("cuda") with { MicroBatches = options.MicroBatches ?? 1 }
    : CharGpt.Spec with { MicroBatches = options.MicroBatches ?? CharGpt.Spec.MicroBatches };
CharGpt.Training trainer;
try
{
    // The plan compiled with the network unless the device or the micro-batches are overridden.
    trainer = options.Device != "cuda" && options.MicroBatches is null ? model.Trainer(optimizer) : model.Trainer(optimizer, spec);
}
catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
using var _ = trainer;
Console.WriteLine($"plan ({(trainer.Compiled ? "compiled at build time" : "planned at start")}): {string.Join(" + ", trainer.Plan.Placements)}, {trainer.Plan.MicroBatches} micro-batch{(trainer.Plan.MicroBatches == 1 ? "" : "es")} per step, " +
                  $"{trainer.Plan.Actors.Count} actors, {model.Parameters.Sum(p => p.Length):N0} weights");
if (options.Plan != null) Console.WriteLine($"plan graph written to {PlanGraphFile.Write(trainer.Plan, options.Plan)}");
if (options.Bench) return Bench.Run(trainer, text, options.Seed, spec);

var batches = new Batches(text, options.Seed);
var clock = Stopwatch.StartNew();
var bar = new ProgressBar(options.Steps);
var chart = new LossPlot();
float recent = 0;
var traced = options.Trace is null ? null : trainer.Session as OneFlow.Dsl.Runtime.PlanSession;
for (int step = 1; step <= options.Steps; step++)
{
    var (x, y) = batches.Next(text.Train);
    // The timeline covers steps 2-4: warm, and short enough to read.
    if (step == 2) traced?.StartTrace();
    float loss = trainer.Step(x, y);
    recent += loss;
    chart.Add(step, loss);
    bar.Report(step, string.Create(CultureInfo.InvariantCulture, $"loss {loss:F4}"));
    if (traced != null && step == Math.Min(options.Steps, 4))
    {
        traced.WriteTrace(options.Trace!);
        var busy = traced.TracedBusyShares();
        bar.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trace of steps 2-{step} written to {options.Trace}: devices busy {string.Join(", ", busy.Select(b => $"{b * 100:F0}%"))} of the time"));
        traced = null;
    }
    if (step % options.LogEvery == 0 || step == options.Steps)
    {
        int span = step % options.LogEvery == 0 ? options.LogEvery : step % options.LogEvery;
        bar.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {step}/{options.Steps}  loss {recent / span:F4}  lr {optimizer.RateAt(step):0.00000}  {clock.Elapsed.TotalMilliseconds / step:F0} ms/step"));
        recent = 0;
    }
}
bar.Clear();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained {options.Steps} steps in {clock.Elapsed.TotalSeconds:F0} s"));

using (var sampler = new Sampler(model, options.Seed))
{
    Console.WriteLine("---");
    Console.WriteLine(sampler.Generate("\n", 200));
    Console.WriteLine("---");
}
double validation = Evaluation.Loss(model, text.Validation);
OutputFile.Write(options.Save, "weights", model.SaveWeights);
OutputFile.Write(options.Export, "ONNX model", model.ExportOnnx);
if (options.Chart != null)
{
    chart.Save(options.Chart, $"character GPT, {string.Join(" + ", trainer.Plan.Placements)}", validation, options.Steps);
    Console.WriteLine($"chart written to {options.Chart}");
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"val loss: {validation:F4}"));
return 0;

// Text from saved weights: the prompt, then each drawn character, then the rate (the decoder's planning and the
// prompt's own steps not counted).
static int Generate(Options options, int count)
{
    if (options.Weights is null)
    {
        Console.Error.WriteLine("--generate needs --weights FILE: the weights a training run saved with --save FILE.");
        return 2;
    }
    var model = new CharGpt(seed: options.Seed);
    try
    {
        model.LoadWeights(options.Weights);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    using var sampler = new Sampler(model, options.Seed);
    var clock = Stopwatch.StartNew();
    string text = options.Recompute ? sampler.Recompute(options.Prompt, count) : sampler.Generate(options.Prompt, count);
    double seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(options.Prompt + text);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokens/s: {count / seconds:F1}"));
    return 0;
}

sealed record Options(string? Data, int Steps, float LearningRate, int Seed, int LogEvery, string? Trace, bool Bench, int? MicroBatches = null, string Device = "cpu", string? Chart = null, string? Plan = null,
    string? Save = null, string? Export = null, int? Generate = null, string Prompt = "\n", string? Weights = null, bool Recompute = false)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(null, 2000, 1e-3f, 42, 100, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Count(string name)
            {
                string v = Value();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive whole number, not '{v}'.");
            }
            o = args[i] switch
            {
                "--data" => o with { Data = Value() },
                "--steps" => o with { Steps = Count("--steps") },
                "--lr" => o with { LearningRate = float.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out float lr) && lr > 0 ? lr : throw new ArgumentException("--lr needs a positive number, e.g. 0.001.") },
                "--seed" => o with { Seed = Count("--seed") },
                "--log-every" => o with { LogEvery = Count("--log-every") },
                "--trace" => o with { Trace = Value() },
                "--plot" => o with { Chart = Value() },
                "--plan" => o with { Plan = Value() },
                "--micro-batches" => o with { MicroBatches = Count("--micro-batches") },
                "--device" => o with { Device = Value() is var d && (d == "cpu" || d == "cuda") ? d : throw new ArgumentException("--device takes cpu or cuda.") },
                "--bench" => o with { Bench = true },
                "--save" => o with { Save = Value() },
                "--export" => o with { Export = Value() },
                "--generate" => o with { Generate = Count("--generate") },
                "--prompt" => o with { Prompt = Value() },
                "--weights" => o with { Weights = Value() },
                "--recompute" => o with { Recompute = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --data FILE --steps N --lr 0.001 --seed 42 --log-every 100 --micro-batches 2 --device cpu|cuda --trace FILE.json --plot FILE.png --plan FILE.svg --bench --save FILE --export FILE.onnx; or --generate N --prompt TEXT --weights FILE [--recompute]"),
            };
        }
        return o;
    }
}
