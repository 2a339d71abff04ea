using Fergan.Data;
using Fergan.Data.Evaluation;
using Fergan.Data.Imaging;

namespace Fergan.Torch.Experiments;

/// <summary>
/// Per arm of the grid (a strategy, or a named variant of one): mean and 95% t-interval over seeds of the headline
/// scores (a single seed has no interval). <see cref="Balance"/> holds the arm's name, which is its strategy unless
/// the spec names it.
/// </summary>
public sealed record StrategySummary(string Balance, int Seeds, Estimate Accuracy, Estimate MacroF1, Estimate DisgustF1,
    Estimate AccuracyWithoutDuplicates, Estimate MacroF1WithoutDuplicates, Estimate DisgustF1WithoutDuplicates)
{
    /// <summary>Without exact or near Training duplicates; null where a run's result predates them.</summary>
    public Estimate? MacroF1WithoutNearDuplicates { get; init; }

    /// <inheritdoc cref="MacroF1WithoutNearDuplicates"/>
    public Estimate? DisgustF1WithoutNearDuplicates { get; init; }
}

public static class ExperimentSummary
{
    /// <summary>
    /// One row per arm, in <paramref name="armOrder"/> (the spec's order) where given, else in the order the results
    /// come: a grid whose first run failed, or was trained in an earlier sitting, still lists its arms as its spec does.
    /// </summary>
    public static IReadOnlyList<StrategySummary> Summarise(IReadOnlyList<ExperimentRunResult> results, IReadOnlyList<string>? armOrder = null)
    {
        var rank = (armOrder ?? []).Select((label, i) => (label, i)).ToDictionary(a => a.label, a => a.i);
        return results.GroupBy(r => r.ArmLabel)
            .OrderBy(g => rank.GetValueOrDefault(g.Key, int.MaxValue)) // stable: unlisted arms keep their order, last
            .Select(g =>
            {
                Estimate Of(Func<ExperimentRunResult, double> value) => BootstrapIntervals.MeanWithInterval(g.Select(value).ToList(), min: 0, max: 1);   // accuracies and F1s
                var disgust = Emotion.Disgust.Name();
                var near = g.All(r => r.TestWithoutNearDuplicates is not null);
                return new StrategySummary(g.Key, g.Count(),
                    Of(r => r.Test.Accuracy), Of(r => r.Test.MacroF1), Of(r => r.Test.PerClass[disgust].F1),
                    Of(r => r.TestWithoutDuplicates.Accuracy), Of(r => r.TestWithoutDuplicates.MacroF1), Of(r => r.TestWithoutDuplicates.PerClass[disgust].F1))
                {
                    MacroF1WithoutNearDuplicates = near ? Of(r => r.TestWithoutNearDuplicates!.MacroF1) : null,
                    DisgustF1WithoutNearDuplicates = near ? Of(r => r.TestWithoutNearDuplicates!.PerClass[disgust].F1) : null,
                };
            })
            .ToList();
    }

    /// <summary>
    /// Bar chart of macro-F1 and disgust F1 per strategy (means over seeds) with 95% interval whiskers where there is
    /// more than one seed.
    /// </summary>
    public static byte[] Plot(IReadOnlyList<StrategySummary> rows, string split)
    {
        var plot = PlotFactory.Create();
        var palette = new ScottPlot.Palettes.Category10();
        for (var r = 0; r < rows.Count; r++)
        {
            void Bar(ScottPlot.Bar bar, Estimate e)
            {
                bar.Value = e.Value;
                if (!double.IsNaN(e.Low))
                {
                    bar.Error = (e.High - e.Low) / 2;
                }
                plot.Add.Bar(bar);
            }
            Bar(new ScottPlot.Bar { Position = 3 * r, FillColor = palette.GetColor(0) }, rows[r].MacroF1);
            Bar(new ScottPlot.Bar { Position = 3 * r + 1, FillColor = palette.GetColor(1) }, rows[r].DisgustF1);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            rows.Select((row, r) => new ScottPlot.Tick(3 * r + 0.5, $"{row.Balance} ({row.Seeds})")).ToArray());
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "macro-F1", FillColor = palette.GetColor(0) });
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "disgust F1", FillColor = palette.GetColor(1) });
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Title($"{split}: mean over seeds, 95% CI");
        plot.Axes.Margins(bottom: 0);
        return plot.GetImageBytes(900, 500, ScottPlot.ImageFormat.Png);
    }

    /// <summary>The comparison as a Markdown table (mean [95% CI] over seeds).</summary>
    public static string Markdown(IReadOnlyList<StrategySummary> rows, string split)
    {
        static string F(Estimate? e) => e is null ? "" : double.IsNaN(e.Low) ? $"{e.Value:0.000}" : $"{e.Value:0.000} [{e.Low:0.000}, {e.High:0.000}]";
        var near = rows.Any(r => r.MacroF1WithoutNearDuplicates is not null);
        var lines = new List<string>
        {
            $"| strategy | seeds | {split} accuracy | macro-F1 | disgust F1 | accuracy w/o train dups | macro-F1 w/o dups | disgust F1 w/o dups |"
                + (near ? " macro-F1 w/o near dups | disgust F1 w/o near dups |" : ""),
            "| --- | --- | --- | --- | --- | --- | --- | --- |" + (near ? " --- | --- |" : ""),
        };
        lines.AddRange(rows.Select(r => $"| {r.Balance} | {r.Seeds} | {F(r.Accuracy)} | {F(r.MacroF1)} | {F(r.DisgustF1)} | {F(r.AccuracyWithoutDuplicates)} | {F(r.MacroF1WithoutDuplicates)} | {F(r.DisgustF1WithoutDuplicates)} |"
            + (near ? $" {F(r.MacroF1WithoutNearDuplicates)} | {F(r.DisgustF1WithoutNearDuplicates)} |" : "")));
        return string.Join('\n', lines) + "\n";
    }
}
