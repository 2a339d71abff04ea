namespace Fergan.Data;

/// <summary>
/// What a <see cref="FaceSet"/> is: its source, format, how its splits and labels were obtained, and what
/// ingestion skipped or converted. Travels with the set into caches, balanced outputs and reports.
/// </summary>
public sealed record DatasetProvenance
{
    public required string Source { get; init; }
    public required string Format { get; init; }

    /// <summary>"source" when the file or folders carried the split; otherwise how it was made.</summary>
    public string SplitMethod { get; init; } = "source";

    /// <summary>"source" for the labels the file or folders carry, or the FER+ mode used (ferplus-majority, ferplus-probability).</summary>
    public string LabelSource { get; init; } = "source";

    public int SkippedRecords { get; init; }
    public IReadOnlyList<string> SkipExamples { get; init; } = [];
    public IReadOnlyDictionary<string, int> Conversions { get; init; } = new Dictionary<string, int>();
    public int IgnoredFiles { get; init; }

    /// <summary>Operations applied after loading, in order (e.g. "cap Training at 4000 per class, seed 2013").</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];

    public DatasetProvenance WithOperation(string operation) => this with { Operations = [.. Operations, operation] };

    public static DatasetProvenance From(IFaceDataset dataset, IngestReport report) => new()
    {
        Source = dataset.Source,
        Format = dataset.Format,
        SkippedRecords = report.Skipped,
        SkipExamples = [.. report.SkipExamples],
        Conversions = new Dictionary<string, int>(report.Conversions),
        IgnoredFiles = report.IgnoredFiles,
    };
}
