using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Vision;
using Fergan.Vision.Generation;
using Microsoft.AspNetCore.Http;

namespace Fergan.Web;

/// <summary>
/// GET /api/gan/sample: a PNG grid of faces of one emotion from the generator's ONNX export (models/gan/generator.onnx
/// by default), so the web app needs no libtorch. Loaded on the first request; if it is missing or unreadable, this
/// endpoint alone answers 503 with the reason.
/// </summary>
internal sealed class GanSamples(WebOptions options)
{
    private readonly Lazy<(OnnxFaceGenerator? Generator, string? Failure)> _generator = new(() =>
    {
        try
        {
            return (new OnnxFaceGenerator(options.Gan ?? DefaultFolder), null);
        }
        catch (FerganException e)
        {
            return (null, e.Message);
        }
    });

    public static string DefaultFolder => Path.Combine(FerPipeline.BundledModels, "gan");

    public string Folder => options.Gan ?? DefaultFolder;

    public IResult Handle(string? emotionName, int? count, int? seed, double? truncation)
    {
        if (string.IsNullOrWhiteSpace(emotionName))
        {
            return FerganWebApp.Problem(400, $"class is required: one of {string.Join(", ", Emotions.Names)} or 0-{Emotions.Count - 1}.");
        }
        if (!Emotions.TryParse(emotionName, out var emotion))
        {
            return FerganWebApp.Problem(400, $"class '{emotionName}' is not an emotion; use one of {string.Join(", ", Emotions.Names)} or 0-{Emotions.Count - 1}.");
        }
        var n = count ?? 10;
        if (n < 1 || n > options.MaxGanSamples)
        {
            return FerganWebApp.Problem(400, $"count must be between 1 and {options.MaxGanSamples} (got {n}).");
        }
        if (truncation is { } t && !(t > 0))
        {
            return FerganWebApp.Problem(400, $"truncation must be positive (got {truncation}).");
        }
        var (generator, failure) = _generator.Value;
        if (generator is null)
        {
            return FerganWebApp.Problem(503, $"the GAN is unavailable on this server: {failure}");
        }
        var faces = generator.Sample(emotion, n, seed ?? 2013, truncation ?? double.PositiveInfinity);
        const int Columns = 10;
        var rows = faces.Chunk(Columns).Select((chunk, r) => (r == 0 ? emotion.Name() : "", (IReadOnlyList<byte[]>)chunk)).ToList();
        return Results.Bytes(FaceGrid.RenderPng(rows, scale: 2, columns: Math.Min(Columns, n)), "image/png");
    }
}
