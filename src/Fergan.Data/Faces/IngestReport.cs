namespace Fergan.Data;

/// <summary>
/// What happened while reading a source: skipped records (only with skip-bad) and conversions
/// (images resized or turned gray). Nothing is dropped without being counted here.
/// </summary>
public sealed class IngestReport
{
    private const int KeptExamples = 10;
    private readonly List<string> _skipExamples = [];
    private readonly Dictionary<string, int> _conversions = [];

    public IngestReport(bool skipBad = false) => SkipBad = skipBad;

    /// <summary>When true, malformed records are skipped and counted instead of stopping the load.</summary>
    public bool SkipBad { get; }

    public int Skipped { get; private set; }

    /// <summary>The first few skip messages, each naming file and line.</summary>
    public IReadOnlyList<string> SkipExamples => _skipExamples;

    /// <summary>Counts per conversion kind, e.g. "resized 64x64 to 48x48": 12.</summary>
    public IReadOnlyDictionary<string, int> Conversions => _conversions;

    public int Converted => _conversions.Values.Sum();

    /// <summary>Files ignored on purpose (hidden files such as .DS_Store), counted so nothing vanishes silently.</summary>
    public int IgnoredFiles { get; private set; }

    /// <summary>Throws the error, or records it as a skip when skip-bad is on.</summary>
    public void Fail(DataFormatException error)
    {
        if (!SkipBad)
        {
            throw error;
        }
        Skipped++;
        if (_skipExamples.Count < KeptExamples)
        {
            _skipExamples.Add(error.Message);
        }
    }

    public void RecordConversion(string kind) => _conversions[kind] = _conversions.GetValueOrDefault(kind) + 1;

    public void Ignored() => IgnoredFiles++;
}
