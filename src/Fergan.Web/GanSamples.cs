using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Vision;
using Fergan.Vision.Generation;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

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

    /// <summary>The query options this endpoint takes (the names of `fergan gan sample`'s options).</summary>
    public static readonly IReadOnlyList<string> OptionNames = ["class", "count", "seed", "truncation"];

    /// <summary>The query parameters for OpenAPI (read by hand, so not described by binding).</summary>
    public static List<IOpenApiParameter> OpenApiParameters()
    {
        static OpenApiParameter Query(string name, JsonSchemaType type, string description, bool required = false) => new()
        {
            Name = name,
            In = ParameterLocation.Query,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = type },
        };
        return
        [
            Query("class", JsonSchemaType.String, "An emotion name or 0-6.", required: true),
            Query("count", JsonSchemaType.Integer, "Faces to draw, 1 to the server's limit (default 10)."),
            Query("seed", JsonSchemaType.Integer, "Seed of the noise (default 2013): the same seed, the same faces."),
            Query("truncation", JsonSchemaType.Number, "Truncation of the noise (> 0; none by default)."),
        ];
    }

    /// <summary>Reads the query (every value parsed with a message, another name refused), then draws.</summary>
    public IResult Handle(IQueryCollection query)
    {
        var failures = new List<string>();
        if (QueryOptions.Unknown(query.Keys, OptionNames) is { } unknown)
        {
            failures.Add(unknown);
        }
        var count = QueryOptions.Int(query["count"], "count", failures);
        var seed = QueryOptions.Int(query["seed"], "seed", failures);
        var truncation = QueryOptions.Double(query["truncation"], "truncation", failures);
        return failures.Count > 0
            ? FerganWebApp.Problem(400, string.Join("; ", failures) + ".")
            : Handle(query["class"].ToString(), count, seed, truncation);
    }

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
