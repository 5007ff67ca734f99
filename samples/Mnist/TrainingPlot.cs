/// <summary><c>--plot FILE.png</c>: the training loss of every step and the test accuracy after every epoch, on
/// one chart (accuracy on the right axis).</summary>
sealed class TrainingPlot
{
    private readonly List<double> _losses = new();
    private readonly List<(double Step, double Accuracy)> _accuracy = new();

    public void Loss(float loss) => _losses.Add(loss);

    public void Accuracy(double accuracy) => _accuracy.Add((_losses.Count, accuracy));

    public void Save(string path, string title)
    {
        var plot = new ScottPlot.Plot();
        var loss = plot.Add.Scatter(Enumerable.Range(1, _losses.Count).Select(i => (double)i).ToArray(), _losses.ToArray());
        loss.LegendText = "training loss";
        loss.MarkerSize = 0;
        var accuracy = plot.Add.Scatter(_accuracy.Select(a => a.Step).ToArray(), _accuracy.Select(a => a.Accuracy).ToArray());
        accuracy.LegendText = "test accuracy";
        accuracy.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "test accuracy";
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
