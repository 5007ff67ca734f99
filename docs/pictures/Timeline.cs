using System.Text.Json;
using OneFlow.Dsl;
using OneFlow.Dsl.Runtime;

namespace Pictures;

/// <summary>One training step of <see cref="Staged"/> as its devices lived it: a row per device thread, a bar per
/// act (compute, boxing, waiting at a collective), four micro-batches streaming through two stages.</summary>
static class Timeline
{
    public static string Draw(string path)
    {
        var model = new Staged(seed: 1);
        using var trainer = model.Trainer(new Sgd(0.01f));
        var random = new Random(1);
        var x = Tensor.From(Enumerable.Range(0, 64 * 784).Select(_ => (float)random.NextDouble()).ToArray(), 64, 784);
        var y = Tensor.From(Enumerable.Range(0, 64).Select(_ => random.Next(10)).ToArray(), 64);
        for (int i = 0; i < 3; i++) trainer.Step(x, y);
        var session = (PlanSession)trainer.Session;
        session.StartTrace();
        trainer.Step(x, y);
        string json = System.IO.Path.ChangeExtension(path, ".json");
        session.WriteTrace(json);
        var events = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(e => e.GetProperty("ph").GetString() == "X")
            .Select(e => (Thread: e.GetProperty("tid").GetInt32(), Kind: e.GetProperty("cat").GetString()!, Start: e.GetProperty("ts").GetDouble() / 1000, Length: e.GetProperty("dur").GetDouble() / 1000))
            .ToList();
        File.Delete(json);

        var plot = new ScottPlot.Plot();
        var colors = new Dictionary<string, ScottPlot.Color>
        {
            ["compute"] = ScottPlot.Colors.SteelBlue, ["boxing"] = ScottPlot.Colors.DarkOrange,
            ["waiting"] = ScottPlot.Colors.LightGray, ["feed"] = ScottPlot.Colors.SeaGreen, ["communication"] = ScottPlot.Colors.Purple,
        };
        // Waiting is drawn first: a device waits at a collective while it goes on with other acts, so work is drawn over it.
        foreach (var e in events.OrderBy(e => e.Kind == "waiting" ? 0 : 1))
        {
            var bar = plot.Add.Rectangle(e.Start, e.Start + Math.Max(e.Length, 0.002), -e.Thread - 0.4, -e.Thread + 0.4);
            bar.FillColor = colors[e.Kind];
            bar.LineWidth = 0;
        }
        foreach (var (kind, color) in colors.Where(c => events.Any(e => e.Kind == c.Key)))
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = kind, FillColor = color });
        plot.ShowLegend();
        var devices = trainer.Plan.Devices;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, devices).Select(d => -(double)d).ToArray(),
            Enumerable.Range(0, devices).Select(d => $"cpu:{trainer.Plan.DeviceMap.Ids[d]}").ToArray());
        plot.Title($"one training step: {trainer.Plan.MicroBatches} micro-batches through cpu:0-1 -> cpu:2-3");
        plot.XLabel("milliseconds");
        plot.SavePng(path, 1000, 360);
        return path;
    }
}
