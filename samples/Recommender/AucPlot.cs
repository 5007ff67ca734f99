/// <summary><c>--plot FILE.png</c>: the training loss of every step and the test AUC after every epoch (right axis).</summary>
sealed class AucPlot
{
    private readonly List<double> _losses = new();
    private readonly List<(double Step, double Auc)> _auc = new();

    public void Loss(float loss) => _losses.Add(loss);

    public void Auc(double auc) => _auc.Add((_losses.Count, auc));

    public void Save(string path, string title)
    {
        var plot = new ScottPlot.Plot();
        var loss = plot.Add.Scatter(Enumerable.Range(1, _losses.Count).Select(i => (double)i).ToArray(), _losses.ToArray());
        loss.LegendText = "training loss";
        loss.MarkerSize = 0;
        var auc = plot.Add.Scatter(_auc.Select(a => a.Step).ToArray(), _auc.Select(a => a.Auc).ToArray());
        auc.LegendText = "test AUC";
        auc.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "test AUC";
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
