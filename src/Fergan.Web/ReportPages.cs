using System.Net;
using System.Text;
using System.Text.Json;
using Fergan.Vision;
using Microsoft.AspNetCore.Http;

namespace Fergan.Web;

/// <summary>
/// GET /report: the latest evaluation. With --report, the report.html that `fergan evaluate --report` wrote (and the
/// files beside it, by bare name only); otherwise a page built from the scores recorded in the classifier's card,
/// which travels inside the ONNX model. (A full report shows misclassified FER2013 faces, which may not be
/// redistributed, so none ships with the repository.)
/// </summary>
internal sealed class ReportPages(WebOptions options, FerPipeline pipeline)
{
    public IResult Index()
    {
        if (options.Report is { } folder)
        {
            var html = Path.Combine(folder, "report.html");
            return System.IO.File.Exists(html)
                ? Results.File(Path.GetFullPath(html), "text/html; charset=utf-8")
                : FerganWebApp.Problem(404, "the report folder has no report.html; write one with `fergan evaluate --report <dir>`.");
        }
        return Results.Content(FromCard(pipeline.Classifier.Card), "text/html; charset=utf-8");
    }

    /// <summary>A file of the report folder, by bare name: anything with a path separator or ".." is refused, so no request reaches outside.</summary>
    public IResult File(string name)
    {
        if (options.Report is not { } folder || name.Contains('/') || name.Contains('\\') || name.Contains("..") || name.StartsWith('.'))
        {
            return Results.NotFound();
        }
        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, name));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !System.IO.File.Exists(path))
        {
            return Results.NotFound();
        }
        var type = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".html" => "text/html; charset=utf-8",
            ".md" => "text/markdown; charset=utf-8",
            ".json" => "application/json",
            _ => "application/octet-stream",
        };
        return Results.File(path, type);
    }

    internal static string FromCard(string? cardJson)
    {
        var body = new StringBuilder();
        if (cardJson is null)
        {
            body.Append("<p>This classifier carries no card, so there are no recorded scores. Evaluate it with <code>fergan evaluate --report DIR</code> and start the server with <code>--report DIR</code>.</p>");
            return Layout(body.ToString());
        }
        using var card = JsonDocument.Parse(cardJson);
        var root = card.RootElement;
        string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "";
        var architecture = root.GetProperty("architecture");
        body.Append($"<p>Classifier <b>{E(Text(architecture, "kind"))}-{E(Text(architecture, "width"))}</b>, balance <b>{E(Text(root, "balance"))}</b>, seed {E(Text(root, "seed"))}. Data: {E(Text(root, "data"))}.</p>");
        var hasSelection = root.TryGetProperty("selection", out var selection) && selection.ValueKind == JsonValueKind.Object;
        if (root.TryGetProperty("soup", out var soup) && soup.ValueKind == JsonValueKind.Object)
        {
            // A soup has no epoch: its selection scores are the mean weights' own, and its ingredients say what went in.
            var ingredients = soup.GetProperty("ingredients").EnumerateArray().ToList();
            static bool Kept(JsonElement ingredient) => ingredient.TryGetProperty("kept", out var k) && k.ValueKind == JsonValueKind.True;
            body.Append($"<p>A {E(Text(soup, "recipe"))} soup: the mean of the weights of {ingredients.Count(Kept)} of {ingredients.Count} classifiers");
            if (hasSelection)
                body.Append($", scored on {E(Text(selection, "split"))}: accuracy {Number(selection, "accuracy")}, macro-F1 {Number(selection, "macro_f1")}");
            body.Append(".</p><ul>");
            // The weighted recipe records each ingredient's share; the others weigh their kept ingredients equally.
            var shares = soup.TryGetProperty("shares", out var s) && s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().ToList() : null;
            foreach (var (ingredient, index) in ingredients.Select((ingredient, index) => (ingredient, index)))
            {
                var alone = ingredient.TryGetProperty("alone", out var a) ? a : default;
                var scores = alone.ValueKind == JsonValueKind.Object ? $" (alone: accuracy {Number(alone, "accuracy")})" : "";
                var share = shares is not null && index < shares.Count && shares[index].ValueKind == JsonValueKind.Number
                    ? $"share {shares[index].GetDouble().ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}: " : "";
                body.Append($"<li>{(Kept(ingredient) ? "" : "left out: ")}{share}{E(Text(ingredient, "folder"))}{scores}</li>");
            }
            body.Append("</ul>");
        }
        else if (hasSelection)
        {
            body.Append($"<p>Selected on {E(Text(selection, "split"))} at epoch {E(Text(selection, "epoch"))}: accuracy {Number(selection, "accuracy")}, macro-F1 {Number(selection, "macro_f1")}.</p>");
        }
        if (root.TryGetProperty("evaluations", out var evaluations) && evaluations.ValueKind == JsonValueKind.Object)
        {
            // Calibration (ECE) was recorded from 2026-11-27 on: its column shows only where some row has it.
            var withEce = evaluations.EnumerateObject().Any(e => e.Value.TryGetProperty("ece", out _));
            body.Append("<table><thead><tr><th>evaluation</th><th>faces</th><th>TTA</th><th>accuracy [95% CI]</th><th>macro-F1 [95% CI]</th><th>balanced acc.</th><th>ROC-AUC</th>");
            if (withEce) body.Append("<th>ECE</th>");
            var classes = root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToList();
            foreach (var c in classes) body.Append($"<th>F1 {E(c)}</th>");
            body.Append("</tr></thead><tbody>");
            foreach (var evaluation in evaluations.EnumerateObject())
            {
                var v = evaluation.Value;
                body.Append($"<tr><td>{E(evaluation.Name)}</td><td>{E(Text(v, "faces"))}</td><td>{E(Text(v, "tta"))}</td>");
                body.Append($"<td>{Number(v, "accuracy")} {Interval(v, "accuracy_ci")}</td><td>{Number(v, "macro_f1")} {Interval(v, "macro_f1_ci")}</td>");
                body.Append($"<td>{Number(v, "balanced_accuracy")}</td><td>{Number(v, "macro_roc_auc")}</td>");
                if (withEce) body.Append($"<td>{Number(v, "ece")}</td>");
                foreach (var c in classes) body.Append($"<td>{(v.TryGetProperty("f1", out var f1) ? Number(f1, c) : "")}</td>");
                body.Append("</tr>");
            }
            body.Append("</tbody></table>");
            body.Append("<p class=\"note\">Each row was recorded by the command in the card (<code>fergan evaluate --record</code>).</p>");
        }
        else
        {
            body.Append("<p>No test-split scores are recorded in this classifier's card.</p>");
        }
        return Layout(body.ToString());
    }

    private static string Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "";

    private static string Interval(JsonElement e, string name) =>
        e.TryGetProperty(name, out var ci) && ci.ValueKind == JsonValueKind.Object ? $"[{Number(ci, "low")}, {Number(ci, "high")}]" : "";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Layout(string body) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Fergan - evaluation</title><link rel="stylesheet" href="/static/style.css"></head>
        <body><header><h1>Fergan</h1><nav><a href="/">Photos</a><a href="/gan">GAN samples</a><a href="/report" class="active">Evaluation</a><a href="/openapi/v1.json">API</a></nav></header>
        <main><h2>Latest evaluation of the classifier in use</h2>{{body}}</main></body></html>
        """;
}
