using Fergan.Data.Imaging;
using ScottPlot;

namespace Fergan.Data.Analysis;

/// <summary>
/// The "data distribution among classes" figure: one group of bars per emotion, one bar per split,
/// each bar labelled with its count, plus the Training imbalance ratio in the title.
/// </summary>
public static class DistributionPlot
{
    private static readonly Color[] SplitColors = [Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen];

    public static void SavePng(DatasetStatistics stats, string path, int width = 1000, int height = 560)
    {
        var plot = PlotFactory.Create();
        var splitNames = stats.Splits.Keys.ToArray();
        var groupWidth = 0.8;
        var barWidth = groupWidth / Math.Max(1, splitNames.Length);
        var bars = new List<Bar>();
        for (var s = 0; s < splitNames.Length; s++)
        {
            var counts = stats.Splits[splitNames[s]];
            for (var e = 0; e < Emotions.Count; e++)
            {
                var value = counts[Emotions.Names[e]];
                bars.Add(new Bar
                {
                    Position = e - groupWidth / 2 + barWidth * (s + 0.5),
                    Value = value,
                    Size = barWidth * 0.95,
                    FillColor = SplitColors[s % SplitColors.Length],
                    LineWidth = 0,
                    Label = value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                });
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = splitNames.Length > 2 ? 10 : 12;

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, Emotions.Count).Select(i => (double)i).ToArray(), [.. Emotions.Names]);
        plot.Axes.Margins(bottom: 0, top: 0.12);
        plot.YLabel("Images");
        plot.XLabel("Emotion");
        var title = $"Class distribution: {Path.GetFileName(stats.Source.TrimEnd('/'))} ({stats.Total:N0} images)";
        if (stats.Imbalance.TryGetValue(nameof(DataSplit.Training), out var training))
        {
            title += $"; Training imbalance {training.Describe()}";
        }
        plot.Title(title, size: 15);
        plot.ShowLegend(
            splitNames.Select((name, s) => new LegendItem
            {
                LabelText = $"{name} ({stats.Splits[name].Values.Sum():N0})",
                FillColor = SplitColors[s % SplitColors.Length],
            }),
            Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }
}
