using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Microsoft.AspNetCore.Http;

namespace Fergan.Web;

/// <summary>
/// GET /api/gan/sample: a PNG grid of faces of one emotion from the generator. The generator is TorchSharp, loaded on
/// the first request (so the photo API never needs libtorch); if libtorch cannot load, this endpoint alone answers 503.
/// </summary>
internal sealed class GanSamples(WebOptions options)
{
    private readonly Lock _gate = new();
    private GanGenerator? _generator;
    private string? _failure;

    public string Folder => options.Gan ?? GanGenerator.BundledFolder;

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
        if (truncation is <= 0 or double.NaN)
        {
            return FerganWebApp.Problem(400, $"truncation must be positive (got {truncation}).");
        }
        lock (_gate) // one sampling at a time: the generator is small, and TorchSharp modules are not meant to be shared by threads
        {
            var generator = Generator();
            if (generator is null)
            {
                return FerganWebApp.Problem(503, $"the GAN is unavailable on this server: {_failure}");
            }
            var faces = generator.SampleFaces(emotion, n, truncation ?? double.PositiveInfinity, seed ?? 2013);
            const int Columns = 10;
            var rows = faces.Chunk(Columns).Select((chunk, r) => (r == 0 ? emotion.Name() : "", (IReadOnlyList<byte[]>)chunk)).ToList();
            return Results.Bytes(FaceGrid.RenderPng(rows, scale: 2, columns: Math.Min(Columns, n)), "image/png");
        }
    }

    private GanGenerator? Generator()
    {
        if (_generator is not null || _failure is not null)
        {
            return _generator;
        }
        try
        {
            TorchRuntime.Initialize(new TorchRuntimeOptions());
            _generator = GanGenerator.Load(Folder);
        }
        catch (Exception e) when (e is FerganException or DllNotFoundException or TypeInitializationException or IOException)
        {
            _failure = e.Message;
        }
        return _generator;
    }
}
