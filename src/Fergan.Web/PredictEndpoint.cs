using Fergan.Vision;
using Fergan.Vision.Detection;
using Fergan.Vision.Photos;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.OpenApi;

namespace Fergan.Web;

/// <summary>
/// POST /api/predict: reads one photo (multipart field "image", or a raw image/* body), waits for a free slot,
/// and returns the same JSON as `fergan predict --json` gives per image. Every failure is a problem response with a
/// status that says whose fault it is; nothing a client sends can crash the server or hold a request forever.
/// </summary>
internal sealed class PredictEndpoint(WebOptions options, FerPipeline pipeline)
{
    /// <summary>Room for the multipart envelope and option fields on top of the photo itself.</summary>
    public const long EnvelopeAllowance = 64 * 1024;

    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentPredictions);

    public async Task<IResult> Handle(HttpRequest request, CancellationToken cancel)
    {
        if (request.ContentLength > options.MaxUploadBytes + EnvelopeAllowance)
        {
            return TooLarge();
        }
        byte[] image;
        string name;
        IFormCollection? form = null;
        try
        {
            if (request.HasFormContentType)
            {
                form = await request.ReadFormAsync(cancel);
                var file = form.Files.GetFile("image") ?? form.Files.FirstOrDefault();
                if (file is null)
                {
                    return FerganWebApp.Problem(400, "the form has no file; send the photo in the field 'image'.");
                }
                if (file.Length > options.MaxUploadBytes)
                {
                    return TooLarge();
                }
                name = Path.GetFileName(file.FileName);
                using var copy = new MemoryStream((int)file.Length);
                await file.CopyToAsync(copy, cancel);
                image = copy.ToArray();
            }
            else if (request.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true)
            {
                name = "upload";
                using var copy = new MemoryStream();
                await request.Body.CopyToAsync(copy, cancel);
                image = copy.ToArray();
            }
            else
            {
                return FerganWebApp.Problem(415, $"expected multipart/form-data with the photo in the field 'image', or an image/* body; got '{request.ContentType ?? "no content type"}'.");
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
        catch (InvalidDataException e) // multipart limits exceeded or a malformed multipart body
        {
            return e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? TooLarge() : FerganWebApp.Problem(400, $"the multipart body is malformed: {e.Message}");
        }
        catch (IOException e) when (e.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return TooLarge();
        }

        if (!TryReadOptions(request.Query, form, out var predictOptions, out var optionError))
        {
            return FerganWebApp.Problem(400, optionError!);
        }
        if (!await _slots.WaitAsync(options.QueueTimeout, cancel))
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return FerganWebApp.Problem(503, $"the server is busy ({options.MaxConcurrentPredictions} photos in progress and more waiting); try again shortly.");
        }
        try
        {
            var prediction = pipeline.Predict(image, predictOptions, name);
            return Results.Json(ImageJson.From(name, prediction));
        }
        catch (PhotoException e)
        {
            return FerganWebApp.Problem(e.Problem switch
            {
                PhotoProblem.TooLarge => 413,
                _ => 400,
            }, e.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>The OpenAPI description of the body: a multipart form with the photo in "image", or raw image bytes.</summary>
    public static OpenApiRequestBody OpenApiRequestBody() => new()
    {
        Required = true,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "image" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["image"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The photo (JPEG, PNG, WebP, GIF or BMP)." },
                    },
                },
            },
            ["image/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
        },
    };

    private IResult TooLarge() =>
        FerganWebApp.Problem(413, $"the upload is over the limit of {options.MaxUploadBytes / (1024 * 1024.0):0.#} MB.");

    /// <summary>The options this endpoint takes, by their CLI names.</summary>
    public static readonly IReadOnlyList<string> OptionNames = ["detector", "min-face", "min-score", "max-faces", "top-k", "tta"];

    /// <summary>Options by their CLI names (<see cref="OptionNames"/>), from the query or the form; another name is an error.</summary>
    internal bool TryReadOptions(IQueryCollection query, IFormCollection? form, out PredictOptions result, out string? error)
    {
        StringValues Get(string key) => query.TryGetValue(key, out var q) ? q : form is not null && form.TryGetValue(key, out var f) ? f : StringValues.Empty;
        var defaults = new DetectionOptions();
        var detection = defaults;
        result = new PredictOptions { Limits = options.PhotoLimits };
        error = QueryOptions.Unknown(query.Keys.Concat(form?.Keys ?? []), OptionNames);
        if (error is not null)
        {
            return false;
        }
        var failures = new List<string>();

        if (Get("detector") is { Count: > 0 } d)
        {
            if (Enum.TryParse<FaceDetectorModel>(d.ToString(), ignoreCase: true, out var model) && !int.TryParse(d.ToString(), out _))
                detection = detection with { Detector = model };
            else
                failures.Add($"detector '{d}' is not auto, near or far");
        }
        if (QueryOptions.Int(Get("min-face"), "min-face", failures) is { } minFace) detection = detection with { MinFace = minFace };
        if (QueryOptions.Int(Get("max-faces"), "max-faces", failures) is { } maxFaces) detection = detection with { MaxFaces = maxFaces };
        if (QueryOptions.Double(Get("min-score"), "min-score", failures) is { } score) detection = detection with { MinScore = (float)score };
        if (QueryOptions.Int(Get("top-k"), "top-k", failures) is { } topK) result = result with { TopK = topK };
        if (Get("tta") is { Count: > 0 } t)
        {
            if (bool.TryParse(t.ToString(), out var tta) || t.ToString() is "1" or "0") result = result with { Tta = tta || t.ToString() == "1" };
            else failures.Add($"tta '{t}' is not true or false");
        }
        result = result with { Detection = detection };
        failures.AddRange(result.Validate());
        if (failures.Count > 0)
        {
            error = string.Join("; ", failures) + ".";
            return false;
        }
        return true;
    }
}
