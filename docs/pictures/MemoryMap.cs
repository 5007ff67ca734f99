using OneFlow.Dsl.Planner.Plan;

namespace Pictures;

/// <summary>A device's arena as the memory planner laid it out: each register a box from the act that writes it to
/// the last act that reads it (x, in the device's act order) over its bytes (y). Boxes that share bytes never share
/// time; weights and the other persistent registers span the whole step.</summary>
static class MemoryMap
{
    public static string Draw(Plan plan, int device, string path)
    {
        var acts = plan.Actors.Where(a => a.Device == device).Select(a => a.Id).ToList();
        int Position(int actor) => acts.IndexOf(actor);
        var plot = new ScottPlot.Plot();
        foreach (var r in plan.Registers.Where(r => r.Device == device))
        {
            int first = r.Persistent || r.Producer < 0 ? 0 : Position(r.Producer);
            // Data readers only: an update's control input on an activation orders it but reads no bytes.
            var readers = plan.Actors.Where(a => a.Device == device && a.Inputs.Contains(r.Id)).Select(a => Position(a.Id)).ToList();
            int last = r.Persistent ? acts.Count : readers.Count == 0 ? first + 1 : readers.Max() + 1;
            var box = plot.Add.Rectangle(first, last, r.Offset / 1024.0, (r.Offset + r.Bytes) / 1024.0);
            box.FillColor = (r.Persistent ? ScottPlot.Colors.SteelBlue : ScottPlot.Colors.DarkOrange).WithAlpha(0.6);
            box.LineColor = ScottPlot.Colors.Black;
            box.LineWidth = 0.5f;
        }
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "persistent (weights, optimizer state)", FillColor = ScottPlot.Colors.SteelBlue.WithAlpha(0.6) });
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "activations and gradients (bytes reused)", FillColor = ScottPlot.Colors.DarkOrange.WithAlpha(0.6) });
        plot.ShowLegend();
        plot.Title($"{plan.Network} training plan, device {device}: arena of {plan.ArenaBytes[device] / 1024.0:F0} KiB");
        plot.XLabel("act on the device, in plan order");
        plot.YLabel("offset (KiB)");
        plot.SavePng(path, 900, 500);
        return path;
    }
}
