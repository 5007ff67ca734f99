/// <summary><c>--plot FILE.png</c>: the training loss of every step and a test metric after every epoch (the accuracy,
/// the AUC), on one chart (the metric on the right axis).</summary>
sealed class TrainingPlot(string metric)
{
    private readonly List<double> _losses = new();
    private readonly List<(double Step, double Value)> _metric = new();

    public void Loss(float loss) => _losses.Add(loss);

    public void Metric(double value) => _metric.Add((_losses.Count, value));

    public void Save(string path, string title)
    {
        var plot = new ScottPlot.Plot();
        var loss = plot.Add.Scatter(Enumerable.Range(1, _losses.Count).Select(i => (double)i).ToArray(), _losses.ToArray());
        loss.LegendText = "training loss";
        loss.MarkerSize = 0;
        var values = plot.Add.Scatter(_metric.Select(a => a.Step).ToArray(), _metric.Select(a => a.Value).ToArray());
        values.LegendText = metric;
        values.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = metric;
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
