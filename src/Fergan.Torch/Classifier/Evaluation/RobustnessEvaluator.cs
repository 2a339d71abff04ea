using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Evaluation;
using Fergan.Data.Imaging;
using Fergan.Data.Robustness;
using ScottPlot;

namespace Fergan.Torch.Classifier.Evaluation;

/// <summary>Accuracy and macro-F1 of one corruption at one severity.</summary>
public sealed record CorruptionScore(string Corruption, int Severity, double Accuracy, double MacroF1);

/// <summary>Scores on clean faces and under every corruption and severity (`evaluate --corruptions`).</summary>
public sealed record RobustnessReport(string Split, int Faces, double CleanAccuracy, double CleanMacroF1, IReadOnlyList<CorruptionScore> Scores);

/// <summary>
/// Scores a classifier on the same faces under each <see cref="Corruption"/> at severities 1-5. The corruptions are
/// deterministic (seeded per corruption, severity and face), so two models see exactly the same damaged faces.
/// </summary>
public static class RobustnessEvaluator
{
    /// <summary>Scores under <paramref name="corruptions"/> (all of <see cref="FaceCorruptions.All"/> when null).</summary>
    public static RobustnessReport Evaluate(IEmotionPredictor classifier, FaceSet faces, EvaluationOptions options,
        IReadOnlyList<Corruption>? corruptions = null, IProgress<CorruptionScore>? progress = null, CancellationToken cancellationToken = default)
    {
        var indices = TrainingOverlap.Without(faces, faces.IndicesOf(options.Split), options.ExcludeTrainingDuplicates, options.NearDuplicates,
            cancellationToken);
        if (indices.Length == 0)
        {
            throw new FerganException($"the dataset has no {options.Split} faces to evaluate on.");
        }
        var truth = indices.Select(i => (int)faces.Label(i)).ToArray();
        var all = Enumerable.Range(0, indices.Length).ToArray();
        ClassificationMetrics Score(FaceSet set) => ClassificationMetrics.Compute(truth, classifier.Predict(set, all, options.TestTimeAugmentation), Emotions.Names);
        var clean = Score(Subset(faces, indices, (face, _) => face.ToArray()));
        var scores = new List<CorruptionScore>();
        foreach (var corruption in corruptions ?? FaceCorruptions.All)
        {
            for (var severity = 1; severity <= FaceCorruptions.Severities; severity++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var c = corruption;
                var s = severity;
                var metrics = Score(Subset(faces, indices, (face, k) => FaceCorruptions.Apply(face, c, s, unchecked(2013 + 7919 * (int)c + 104729 * s + k))));
                var score = new CorruptionScore(corruption.Name(), severity, metrics.Accuracy, metrics.MacroF1);
                scores.Add(score);
                progress?.Report(score);
            }
        }
        return new RobustnessReport(options.Split.ToString(), indices.Length, clean.Accuracy, clean.MacroF1, scores);
    }

    /// <summary>The given faces, transformed, as a set of their own (labels kept).</summary>
    private static FaceSet Subset(FaceSet faces, int[] indices, Func<ReadOnlySpan<byte>, int, byte[]> transform)
    {
        var pixels = new byte[indices.Length * FaceImage.PixelCount];
        for (var k = 0; k < indices.Length; k++)
        {
            transform(faces.Pixels(indices[k]), k).CopyTo(pixels, k * FaceImage.PixelCount);
        }
        return new FaceSet(pixels, indices.Select(faces.Label).ToArray(), indices.Select(faces.Split).ToArray(), indices.Select(faces.SourceRow).ToArray(),
            new bool[indices.Length], null, faces.Provenance);
    }

    /// <summary>Accuracy against severity, one line per corruption, clean accuracy as a dashed line.</summary>
    public static byte[] Plot(RobustnessReport report)
    {
        var plot = PlotFactory.Create();
        var palette = new ScottPlot.Palettes.Category10();
        var severities = Enumerable.Range(1, FaceCorruptions.Severities).Select(s => (double)s).ToArray();
        var k = 0;
        foreach (var group in report.Scores.GroupBy(s => s.Corruption))
        {
            var line = plot.Add.Scatter(severities, group.OrderBy(s => s.Severity).Select(s => s.Accuracy).ToArray(), palette.GetColor(k++));
            line.LegendText = group.Key;
        }
        var clean = plot.Add.HorizontalLine(report.CleanAccuracy);
        clean.LinePattern = LinePattern.Dashed;
        clean.LegendText = "clean";
        plot.Title($"Robustness on {report.Split} ({report.Faces} faces)");
        plot.XLabel("severity");
        plot.YLabel("accuracy");
        plot.ShowLegend(Alignment.LowerLeft);
        return plot.GetImageBytes(900, 500, ImageFormat.Png);
    }
}
