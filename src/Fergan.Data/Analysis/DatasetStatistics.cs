using Fergan.Data.Duplicates;

namespace Fergan.Data.Analysis;

/// <summary>
/// The numbers `data stats` prints: counts per split and class, imbalance, duplicates across splits,
/// and what ingestion skipped or converted. Plain data, ready for JSON and tables.
/// </summary>
public sealed record DatasetStatistics
{
    public required string Source { get; init; }
    public required string Format { get; init; }
    public required string SplitMethod { get; init; }
    public required string LabelSource { get; init; }
    public required int Total { get; init; }

    /// <summary>split name -> emotion name -> count (FER2013 names: Training, PublicTest, PrivateTest; angry ... neutral).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Splits { get; init; }

    /// <summary>Per split: largest class over smallest non-empty class (FER2013 Training: happy/disgust = 16.5).</summary>
    public required IReadOnlyDictionary<string, ImbalanceFigures> Imbalance { get; init; }

    public required DuplicateFigures Duplicates { get; init; }
    public required IngestFigures Ingest { get; init; }

    /// <summary>
    /// split name -> emotion name -> generated faces among <see cref="Splits"/>' counts (rows marked synthetic, as
    /// `data synthesize` writes them), for the splits that have any; empty for real data.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Synthetic { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, int>>();

    /// <summary>For the splits in <see cref="Synthetic"/>: the imbalance of their real faces alone.</summary>
    public IReadOnlyDictionary<string, ImbalanceFigures> RealImbalance { get; init; } = new Dictionary<string, ImbalanceFigures>();

    public static DatasetStatistics Compute(FaceSet faces, DuplicateReport duplicates)
    {
        var counts = faces.CountsBySplitAndClass();
        var splits = new Dictionary<string, IReadOnlyDictionary<string, int>>();
        var imbalance = new Dictionary<string, ImbalanceFigures>();
        foreach (var split in DataSplits.All)
        {
            var perClass = Emotions.All.ToDictionary(e => e.Name(), e => counts[(int)split, (int)e]);
            if (perClass.Values.Sum() == 0)
            {
                continue;
            }
            splits[split.ToString()] = perClass;
            imbalance[split.ToString()] = ImbalanceFigures.Of(perClass);
        }
        var synthetic = new Dictionary<string, IReadOnlyDictionary<string, int>>();
        var realImbalance = new Dictionary<string, ImbalanceFigures>();
        foreach (var split in DataSplits.All)
        {
            var generated = faces.IndicesOf(split).Where(faces.IsSynthetic).ToList();
            if (generated.Count > 0)
            {
                var perClass = Emotions.All.ToDictionary(e => e.Name(), e => generated.Count(i => faces.Label(i) == e));
                synthetic[split.ToString()] = perClass;
                var real = splits[split.ToString()].ToDictionary(kv => kv.Key, kv => kv.Value - perClass[kv.Key]);
                if (real.Values.Any(c => c > 0))
                {
                    realImbalance[split.ToString()] = ImbalanceFigures.Of(real);
                }
            }
        }
        var p = faces.Provenance;
        return new DatasetStatistics
        {
            Synthetic = synthetic,
            RealImbalance = realImbalance,
            Source = p.Source,
            Format = p.Format,
            SplitMethod = p.SplitMethod,
            LabelSource = p.LabelSource,
            Total = faces.Count,
            Splits = splits,
            Imbalance = imbalance,
            Duplicates = DuplicateFigures.From(duplicates),
            Ingest = new IngestFigures(p.SkippedRecords, p.SkipExamples, p.Conversions, p.IgnoredFiles, p.Operations),
        };
    }
}

public sealed record ImbalanceFigures(string Largest, string Smallest, double Ratio, int EmptyClasses)
{
    /// <summary>Largest class over smallest non-empty class of one split's counts (at least one class non-empty).</summary>
    public static ImbalanceFigures Of(IReadOnlyDictionary<string, int> perClass)
    {
        var nonEmpty = perClass.Where(kv => kv.Value > 0).ToArray();
        var largest = nonEmpty.MaxBy(kv => kv.Value);
        var smallest = nonEmpty.MinBy(kv => kv.Value);
        return new ImbalanceFigures(largest.Key, smallest.Key, Math.Round((double)largest.Value / smallest.Value, 2), perClass.Count(kv => kv.Value == 0));
    }

    /// <summary>"happy/disgust = 16.5x", or "none" for a split whose emotions are all equally frequent (a balanced
    /// set, where "angry/angry = 1.0x" would read like a fault).</summary>
    public string Describe() => Ratio > 1 ? $"{Largest}/{Smallest} = {Ratio:0.0}x"
        : EmptyClasses > 0 ? "none among the emotions present" : "none (every emotion equally frequent)";
}

/// <summary>Exact-duplicate figures; "cross_split" keys read "PublicTest_in_Training" = PublicTest images also in Training.</summary>
public sealed record DuplicateFigures(
    int DistinctImages,
    int DuplicateGroups,
    int FacesInGroups,
    int LabelConflictGroups,
    int AllBlackImages,
    IReadOnlyDictionary<string, int> CrossSplit,
    IReadOnlyDictionary<string, int> WithinSplit)
{
    public static DuplicateFigures From(DuplicateReport report) => new(
        report.DistinctImages,
        report.Groups.Count,
        report.Groups.Sum(g => g.Length),
        report.LabelConflictGroups,
        report.AllBlackImages,
        report.CrossSplit.ToDictionary(kv => $"{kv.Key.Of}_in_{kv.Key.AlsoIn}", kv => kv.Value),
        report.WithinSplit.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value));
}

public sealed record IngestFigures(
    int SkippedRecords,
    IReadOnlyList<string> SkipExamples,
    IReadOnlyDictionary<string, int> Conversions,
    int IgnoredFiles,
    IReadOnlyList<string> Operations);
