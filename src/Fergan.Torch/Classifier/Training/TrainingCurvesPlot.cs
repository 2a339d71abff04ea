using System.Text.Json;
using Fergan.Data.Imaging;
using Fergan.Torch.Training;
using ScottPlot;
using SkiaSharp;

namespace Fergan.Torch.Classifier.Training;

/// <summary>Loss (left) and accuracy (right), train and validation, per epoch, from log.jsonl: the seed report's figure 6.2.</summary>
public static class TrainingCurvesPlot
{
    public static void Save(string logFile, string pngFile)
    {
        if (!File.Exists(logFile))
        {
            return;
        }
        var entries = File.ReadLines(logFile).Select(l => JsonSerializer.Deserialize<ClassifierEpoch>(l, RunDirectory.Json)!).ToList();
        if (entries.Count == 0)
        {
            return;
        }
        var epochs = entries.Select(e => (double)e.Epoch).ToArray();
        Plot Panel(string title, string y, Func<ClassifierEpoch, double> train, Func<ClassifierEpoch, double> validation)
        {
            var plot = PlotFactory.Create();
            var a = plot.Add.Scatter(epochs, entries.Select(train).ToArray(), Colors.SteelBlue);
            a.LegendText = "train";
            var b = plot.Add.Scatter(epochs, entries.Select(validation).ToArray(), Colors.DarkOrange);
            b.LegendText = "validation";
            plot.Title(title);
            plot.XLabel("epoch");
            plot.YLabel(y);
            plot.ShowLegend(Alignment.UpperRight);
            return plot;
        }
        const int Width = 600, Height = 450;
        using var loss = SKImage.FromEncodedData(Panel("Loss", "cross-entropy", e => e.TrainLoss, e => e.ValidationLoss).GetImageBytes(Width, Height, ImageFormat.Png));
        using var accuracy = SKImage.FromEncodedData(Panel("Accuracy", "accuracy", e => e.TrainAccuracy, e => e.ValidationAccuracy).GetImageBytes(Width, Height, ImageFormat.Png));
        using var surface = SKSurface.Create(new SKImageInfo(2 * Width, Height));
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.DrawImage(loss, 0, 0, SKSamplingOptions.Default);
        surface.Canvas.DrawImage(accuracy, Width, 0, SKSamplingOptions.Default);
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        RunDirectory.WriteAtomically(pngFile, temp => File.WriteAllBytes(temp, png.ToArray()));
    }
}
