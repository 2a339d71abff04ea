using Fergan.Vision.Photos;

namespace Fergan.Web;

/// <summary>Settings of `fergan serve`; each has a CLI option of the same name.</summary>
public sealed record WebOptions
{
    /// <summary>Where to listen. Loopback by default: exposing the server is an explicit choice.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";

    /// <summary>Exported classifier (.onnx or a folder with classifier.onnx); null: the bundled one.</summary>
    public string? Model { get; init; }

    /// <summary>Generator for the GAN page: a generator.onnx file or a folder holding one; null: the bundled one.</summary>
    public string? Gan { get; init; }

    /// <summary>A folder written by `fergan evaluate --report`, shown at /report; null: the scores in the classifier's card.</summary>
    public string? Report { get; init; }

    /// <summary>Largest upload accepted (bytes); larger requests get 413 before they are read.</summary>
    public long MaxUploadBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest photo accepted (decoded pixels); checked from the header, so a decompression bomb costs nothing.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>
    /// Photos analysed at once; further uploads wait their turn (bounded memory: a 40 MP photo is 160 MB decoded).
    /// Default: one per core.
    /// </summary>
    public int MaxConcurrentPredictions { get; init; } = Environment.ProcessorCount;

    /// <summary>How long an upload may wait for its turn before it gets 503 (so a flood cannot hang requests forever).</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most faces drawn per GAN request.</summary>
    public int MaxGanSamples { get; init; } = 64;

    internal PhotoLimits PhotoLimits => new(MaxUploadBytes, MaxPixels);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxUploadBytes < 1024) errors.Add($"max-upload must be at least 1 KB (got {MaxUploadBytes})");
        if (MaxPixels < 10_000) errors.Add($"max-pixels must be at least 10,000 (got {MaxPixels})");
        if (MaxConcurrentPredictions < 1) errors.Add($"max-concurrent must be at least 1 (got {MaxConcurrentPredictions})");
        return errors;
    }
}
