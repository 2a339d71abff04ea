using System.Globalization;
using System.Net;
using System.Text;
using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Imaging;
using Fergan.Torch.Training;
using SkiaSharp;

namespace Fergan.Torch.Classifier.Evaluation;

/// <summary>
/// Writes an evaluation as a folder a reviewer can open: report.md and a self-contained report.html (images inlined),
/// confusion.png (row-normalised heatmap with counts) and misclassified.png (faces of the most frequent confusions).
/// </summary>
public static class EvaluationReportWriter
{
    public const string MarkdownFile = "report.md", HtmlFile = "report.html", ConfusionFile = "confusion.png", MisclassifiedFile = "misclassified.png", RobustnessFile = "robustness.png";

    public static void Write(EvaluationReport report, FaceSet faces, string folder, string command)
    {
        Directory.CreateDirectory(folder);
        var confusion = ConfusionPng(report.ConfusionMatrix);
        var misclassified = MisclassifiedPng(report, faces);
        RunDirectory.WriteAtomically(Path.Combine(folder, ConfusionFile), t => File.WriteAllBytes(t, confusion));
        RunDirectory.WriteAtomically(Path.Combine(folder, MisclassifiedFile), t => File.WriteAllBytes(t, misclassified));
        if (report.Robustness is { } robustness)
        {
            Fergan.Torch.Training.OptionalPlot.TryDraw(() => RunDirectory.WriteAtomically(Path.Combine(folder, RobustnessFile), t => File.WriteAllBytes(t, RobustnessEvaluator.Plot(robustness))));
        }
        var markdown = Markdown(report, command, ConfusionFile, MisclassifiedFile);
        RunDirectory.WriteAtomically(Path.Combine(folder, MarkdownFile), t => File.WriteAllText(t, markdown));
        RunDirectory.WriteAtomically(Path.Combine(folder, HtmlFile), t => File.WriteAllText(t, Html(report, command, confusion, misclassified)));
    }

    private static string Markdown(EvaluationReport r, string command, string confusionPng, string misclassifiedPng)
    {
        var ci = r.ConfidenceIntervals;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Evaluation of {r.Model}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"`{command}`");
        sb.AppendLine();
        var excluded = r.DuplicatesLeftOut switch
        {
            TrainingDuplicates.Exact => $" ({r.ExcludedDuplicates} exact Training duplicates left out{LeftOut(r)})",
            TrainingDuplicates.Near => $" ({r.ExcludedDuplicates} exact or near Training duplicates left out{LeftOut(r)})",
            _ => "",
        };
        sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Split} of {r.Data}: {r.Faces} faces{excluded}{(r.Tta ? ", ten-crop TTA" : "")}.");
        sb.AppendLine();
        sb.AppendLine("| score | value | 95% CI |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| accuracy | {r.Accuracy:0.0000} | {ci.Accuracy.Low:0.0000} - {ci.Accuracy.High:0.0000} |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| macro-F1 | {r.MacroF1:0.0000} | {ci.MacroF1.Low:0.0000} - {ci.MacroF1.High:0.0000} |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| balanced accuracy | {r.BalancedAccuracy:0.0000} | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| macro ROC-AUC (one-vs-rest) | {r.MacroRocAuc:0.0000} | |");
        sb.AppendLine();
        sb.AppendLine("| emotion | precision | recall | F1 [95% CI] | ROC-AUC | support |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, m) in r.PerClass)
        {
            var f = ci.ClassF1[name];
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {m.Precision:0.000} | {m.Recall:0.000} | {m.F1:0.000} [{f.Low:0.000}, {f.High:0.000}] | {m.RocAuc:0.000} | {m.Support} |");
        }
        if (r.Calibration is { } calibration)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Calibration: {calibration.Summary()}.");
            sb.AppendLine();
            sb.AppendLine("| confidence | faces | mean confidence | accuracy |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var bin in calibration.Bins)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {bin.Low:0.00}-{bin.High:0.00} | {bin.Count} | {bin.MeanConfidence:0.000} | {bin.Accuracy:0.000} |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("Confusion matrix (rows: true emotion, columns: predicted):");
        sb.AppendLine();
        sb.AppendLine("| true \\ predicted | " + string.Join(" | ", Emotions.Names) + " |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", Emotions.Count)));
        for (var c = 0; c < r.ConfusionMatrix.Length; c++)
        {
            sb.AppendLine($"| {Emotions.Names[c]} | " + string.Join(" | ", r.ConfusionMatrix[c]) + " |");
        }
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"![confusion matrix]({confusionPng})");
        sb.AppendLine();
        sb.AppendLine("Faces of the most frequent confusions (row label: true -> predicted):");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"![misclassified faces]({misclassifiedPng})");
        if (r.Robustness is { } robustness)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Robustness: accuracy (macro-F1) under deterministic corruptions; clean {robustness.CleanAccuracy:0.000} ({robustness.CleanMacroF1:0.000}).");
            sb.AppendLine();
            sb.AppendLine("| corruption | severity 1 | 2 | 3 | 4 | 5 |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var group in robustness.Scores.GroupBy(x => x.Corruption))
            {
                sb.AppendLine($"| {group.Key} | " + string.Join(" | ", group.OrderBy(x => x.Severity).Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Accuracy:0.000} ({x.MacroF1:0.000})"))) + " |");
            }
        }
        return sb.ToString();
    }

    private static string Html(EvaluationReport r, string command, byte[] confusion, byte[] misclassified)
    {
        // The Markdown body, rendered minimally: tables and paragraphs, images inlined as data URIs.
        var md = Markdown(r, command, "data:image/png;base64," + Convert.ToBase64String(confusion), "data:image/png;base64," + Convert.ToBase64String(misclassified));
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Fergan evaluation</title><style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}code{background:#f4f4f4}</style></head><body>\n");
        var inTable = false;
        foreach (var line in md.Split('\n'))
        {
            if (line.StartsWith('|'))
            {
                if (line.StartsWith("|---", StringComparison.Ordinal))
                {
                    continue;
                }
                var cells = line.Trim('|').Split('|').Select(c => WebUtility.HtmlEncode(c.Trim()));
                html.Append(inTable ? "<tr><td>" + string.Join("</td><td>", cells) + "</td></tr>\n" : "<table><tr><th>" + string.Join("</th><th>", cells) + "</th></tr>\n");
                inTable = true;
                continue;
            }
            if (inTable)
            {
                html.Append("</table>\n");
                inTable = false;
            }
            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                html.Append("<h1>").Append(WebUtility.HtmlEncode(line[2..])).Append("</h1>\n");
            }
            else if (line.StartsWith("![", StringComparison.Ordinal))
            {
                var src = line[(line.IndexOf('(') + 1)..^1];
                html.Append("<p><img src=\"").Append(src).Append("\"></p>\n");
            }
            else if (line.StartsWith('`'))
            {
                html.Append("<p><code>").Append(WebUtility.HtmlEncode(line.Trim('`'))).Append("</code></p>\n");
            }
            else if (line.Length > 0)
            {
                html.Append("<p>").Append(WebUtility.HtmlEncode(line)).Append("</p>\n");
            }
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Row-normalised heatmap (each true emotion's row sums to 1), with the counts written in the cells.</summary>
    public static byte[] ConfusionPng(int[][] matrix)
    {
        const int Cell = 64, Left = 90, Top = 90;
        var k = matrix.Length;
        using var surface = SKSurface.Create(new SKImageInfo(Left + k * Cell + 10, Top + k * Cell + 10));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(Typefaces.Sans, 13);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint();
        for (var r = 0; r < k; r++)
        {
            var total = Math.Max(1, matrix[r].Sum());
            canvas.DrawText(Emotions.Names[r], 6, Top + r * Cell + Cell / 2f + 5, SKTextAlign.Left, font, text);
            for (var c = 0; c < k; c++)
            {
                var share = matrix[r][c] / (float)total;
                fill.Color = new SKColor((byte)(255 - 200 * share), (byte)(255 - 140 * share), 255);
                canvas.DrawRect(Left + c * Cell, Top + r * Cell, Cell - 1, Cell - 1, fill);
                text.Color = share > 0.6f ? SKColors.White : SKColors.Black;
                canvas.DrawText(matrix[r][c].ToString(CultureInfo.InvariantCulture), Left + c * Cell + Cell / 2f, Top + r * Cell + Cell / 2f + 5, SKTextAlign.Center, font, text);
                text.Color = SKColors.Black;
            }
        }
        // The corner says which way the matrix reads, as the terminal table's "truth \ predicted" does.
        using var small = new SKFont(Typefaces.Sans, 11);
        text.Color = SKColors.Gray;
        canvas.DrawText("predicted \u2192", 6, Top - 24, SKTextAlign.Left, small, text);
        canvas.DrawText("truth \u2193", 6, Top - 8, SKTextAlign.Left, small, text);
        text.Color = SKColors.Black;
        for (var c = 0; c < k; c++)
        {
            canvas.Save();
            canvas.Translate(Left + c * Cell + Cell / 2f + 5, Top - 6);
            canvas.RotateDegrees(-60);
            canvas.DrawText(Emotions.Names[c], 0, 0, SKTextAlign.Left, font, text);
            canvas.Restore();
        }
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Up to 8 faces for each of the 7 most frequent (true, predicted) confusions.</summary>
    private static byte[] MisclassifiedPng(EvaluationReport r, FaceSet faces)
    {
        var d = r.Details ?? throw new InvalidOperationException("the report holds no per-face details.");
        var wrong = Enumerable.Range(0, d.Indices.Length)
            .Select(k => (k, Predicted: Fergan.Data.Evaluation.ClassificationMetrics.ArgMax(d.Probabilities[k])))
            .Where(p => p.Predicted != d.Truth[p.k])
            .GroupBy(p => (True: d.Truth[p.k], p.Predicted))
            .OrderByDescending(g => g.Count())
            .Take(7)
            .Select(g => ($"{Emotions.Names[g.Key.True]} -> {Emotions.Names[g.Key.Predicted]} ({g.Count()})",
                (IReadOnlyList<byte[]>)g.Take(8).Select(p => faces.Pixels(d.Indices[p.k]).ToArray()).ToList()))
            .ToList();
        return wrong.Count == 0 ? FaceGrid.RenderPng([("no errors", [])], scale: 2) : FaceGrid.RenderPng(wrong, scale: 2, columns: 8);
    }

    private static string LeftOut(EvaluationReport r) => r.LeftOutAccuracy is { } accuracy ? $"; accuracy on those {accuracy:0.000}" : "";
}
