using System.Reflection;
using Fergan.Data;
using Fergan.Vision;
using Fergan.Vision.Annotation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fergan.Web;

/// <summary>
/// The web app of `fergan serve`: pages (upload with webcam, GAN samples, evaluation report) and the REST API
/// (POST /api/predict, GET /api/gan/sample, GET /api/gan, GET /health, GET /openapi/v1.json). Minimal APIs over the same library
/// calls as the CLI; handlers stay thin.
/// </summary>
public static class FerganWebApp
{
    public static WebApplication Build(WebOptions options, FerPipeline? pipeline = null)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException($"invalid server options: {string.Join("; ", problems)}.");
        }
        pipeline ??= FerPipeline.Load(options.Model, threadsPerPhoto: 1); // requests run side by side: one thread each

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The multipart envelope (boundaries, headers, option fields) adds a little to the photo itself.
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + PredictEndpoint.EnvelopeAllowance;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(pipeline);
        builder.Services.AddSingleton<PredictEndpoint>();
        builder.Services.AddSingleton<GanSamples>();
        builder.Services.AddSingleton<ReportPages>();

        var app = builder.Build();
        app.MapOpenApi();

        app.MapGet("/", () => Asset("index.html")).ExcludeFromDescription();
        app.MapGet("/gan", () => Asset("gan.html")).ExcludeFromDescription();
        app.MapGet("/static/{name}", (string name) => Asset(name)).ExcludeFromDescription();
        app.MapGet("/report", (ReportPages report) => report.Index()).ExcludeFromDescription();
        app.MapGet("/report/files/{name}", (string name, ReportPages report) => report.File(name)).ExcludeFromDescription();

        app.MapGet("/health", (FerPipeline fer, GanSamples gan) => Results.Json(new
        {
            status = "ok",
            classifier = fer.Classifier.Path,
            emotions = fer.Classifier.Emotions.Select(e => e.Name()),
            gan = gan.Folder,
            max_upload_bytes = options.MaxUploadBytes,
        })).WithSummary("Liveness, the models in use, and the upload limit (the page checks a photo's size against it before sending).");

        app.MapGet("/api/emotions", () => Results.Json(Emotions.All.Select(e => new { name = e.Name(), color = EmotionColors.Hex(e) })))
            .WithSummary("The emotions in output order, with the colours the pages use.");

        app.MapPost("/api/predict", (HttpRequest request, PredictEndpoint endpoint, CancellationToken cancel) => endpoint.Handle(request, cancel))
            .WithSummary("Find the faces in one photo and recognise their emotions.")
            .WithDescription("Body: multipart/form-data with the photo in the field 'image' (or the raw bytes with an image/* content type). " +
                             "Options as query or form fields, named as the CLI's: detector (auto|near|far), min-face, min-score, max-faces, top-k, tta. " +
                             "Returns {path, width, height, faces: [{box: [x, y, w, h], score, keypoints, emotion, probabilities, top}]}; " +
                             "400 unreadable photo or bad option, 413 too large, 415 not a photo upload, 503 busy.")
            // The request body is described by a transformer, not by Accepts(): Accepts() makes routing answer other
            // content types with a bare 415, while the handler's own 415 says what to send instead.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = PredictEndpoint.OpenApiRequestBody();
                return Task.CompletedTask;
            })
            .Produces<ImageJson>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(503)
            .DisableAntiforgery();

        app.MapGet("/api/gan", (GanSamples gan) =>
            {
                try
                {
                    return Results.Json(GeneratorFacts.Read(gan.Folder));
                }
                catch (FerganException e)
                {
                    return Problem(503, $"the GAN's card is unreadable: {e.Message}");
                }
            })
            .WithSummary("The generator /api/gan/sample draws from: step, seed, data, and its measured label fidelity (overall and per emotion), classification accuracy score and FID, from its card.")
            .WithDescription("Metrics are null, and measured false, where the card has none: a `gan train` run's card has none until bench/bundle-generator.sh adds its `gan evaluate` report.")
            .ProducesProblem(503);

        // Read from the query by hand, not bound: a value that fails to bind would be an empty 400.
        app.MapGet("/api/gan/sample", (HttpRequest request, GanSamples gan) => gan.Handle(request.Query))
            .WithSummary("Faces of one emotion drawn by the bundled class-conditional generator, as one PNG grid.")
            .WithDescription("class: an emotion name or 0-6 (required); count: 1 to the server's limit (default 10); seed (default 2013); truncation (optional, > 0). Another option name is a 400.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters = GanSamples.OpenApiParameters();
                return Task.CompletedTask;
            })
            .Produces(200, contentType: "image/png")
            .ProducesProblem(400).ProducesProblem(503);
        return app;
    }

    /// <summary>An error as RFC 7807 problem JSON, with a message a person can act on.</summary>
    internal static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    private static readonly Assembly Resources = typeof(FerganWebApp).Assembly;

    /// <summary>The embedded page or asset of that exact name (no paths: the name is looked up, never joined to a folder).</summary>
    private static IResult Asset(string name)
    {
        using var stream = Resources.GetManifestResourceStream("wwwroot/" + name);
        if (stream is null)
        {
            return Results.NotFound();
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "application/octet-stream",
        };
        return Results.Bytes(copy.ToArray(), type);
    }
}
