using System.Text.Json;
using Fergan.Data.Imaging;
using Fergan.Torch.Training;
using ScottPlot;

namespace Fergan.Torch.Gan.Training;

/// <summary>Discriminator and generator losses (and D's mean scores) over steps, from log.jsonl.</summary>
public static class LossCurvePlot
{
    public static void Save(string logFile, string pngFile)
    {
        if (!File.Exists(logFile))
        {
            return;
        }
        var entries = File.ReadLines(logFile)
            .Select(line => JsonSerializer.Deserialize<GanProgress>(line, RunDirectory.Json)!)
            .ToList();
        if (entries.Count == 0)
        {
            return;
        }
        var steps = entries.Select(e => (double)e.Step).ToArray();
        var plot = PlotFactory.Create();
        void Line(string name, Func<GanProgress, double> value, Color color)
        {
            var line = plot.Add.Scatter(steps, entries.Select(value).ToArray(), color);
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        Line("D loss", e => e.DiscriminatorLoss, Colors.SteelBlue);
        Line("G loss", e => e.GeneratorLoss, Colors.DarkOrange);
        Line("D(real) mean score", e => e.RealScore, Colors.SeaGreen);
        Line("D(fake) mean score", e => e.FakeScore, Colors.Crimson);
        plot.Title("GAN training");
        plot.XLabel("step");
        plot.YLabel("loss / score");
        plot.ShowLegend(Alignment.UpperRight);
        RunDirectory.WriteAtomically(pngFile, temp => plot.SavePng(temp, 900, 500));
    }
}
