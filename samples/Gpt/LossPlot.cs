namespace Gpt;

/// <summary><c>--plot FILE.png</c>: the training loss of every step (and its running mean over 50 steps), with the
/// final validation loss marked at the last step.</summary>
sealed class LossPlot
{
    private readonly List<double> _steps = new(), _losses = new();

    public void Add(int step, float loss)
    {
        _steps.Add(step);
        _losses.Add(loss);
    }

    public void Save(string path, string title, double validation, int lastStep)
    {
        var plot = new ScottPlot.Plot();
        var raw = plot.Add.Scatter(_steps.ToArray(), _losses.ToArray());
        raw.LegendText = "training loss";
        raw.MarkerSize = 0;
        raw.LineWidth = 1;
        var mean = plot.Add.Scatter(_steps.ToArray(), RunningMean(_losses, 50));
        mean.LegendText = "mean of the last 50 steps";
        mean.MarkerSize = 0;
        mean.LineWidth = 2;
        var val = plot.Add.Scatter(new double[] { lastStep }, new[] { validation });
        val.LegendText = $"val loss {validation:F4}";
        val.MarkerSize = 10;
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss (nats per character)");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }

    private static double[] RunningMean(List<double> values, int window)
    {
        var mean = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            mean[i] = sum / Math.Min(i + 1, window);
        }
        return mean;
    }
}
