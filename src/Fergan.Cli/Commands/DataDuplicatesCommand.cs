using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Export;
using Fergan.Data.Imaging;
using Fergan.Data.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

public sealed class DataDuplicatesSettings : DatasetSettings
{
    [CommandOption("--min-correlation <R>")]
    [Description("Faces whose pixels correlate at least this much count as the same picture (brightness and contrast ignored).")]
    [DefaultValue(NearDuplicateOptions.DefaultMinCorrelation)]
    public double MinCorrelation { get; init; } = NearDuplicateOptions.DefaultMinCorrelation;

    [CommandOption("--no-mirror")]
    [Description("Do not count a mirrored copy of a Training face as the same picture.")]
    public bool NoMirror { get; init; }

    [CommandOption("--grid <PNG>")]
    [Description("Also save test faces beside their nearest Training faces, closest pairs first, around the threshold.")]
    public string? Grid { get; init; }

    [CommandOption("-o|--out <FILE>")]
    [Description("Also write the dataset without the test faces that are exact or near copies of Training faces (.fgn, .csv, .csv.gz, or a folder for PNG images): evaluate on it with no search.")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object (counts, histogram, every pair at or above the threshold) instead of tables.")]
    public bool Json { get; init; }

    [CommandOption("--overwrite")]
    [Description("Overwrite the --grid and --out files if they exist.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() =>
        MinCorrelation is not (> 0 and <= 1) ? ValidationResult.Error($"--min-correlation must be in (0, 1] (got {MinCorrelation}).")
        : base.Validate();
}

/// <summary>`fergan data duplicates`: test faces that are the same picture as a Training face, exact or near.</summary>
public sealed class DataDuplicatesCommand(CliConsoles consoles) : Command<DataDuplicatesSettings>
{
    /// <summary>Lower edges of the histogram's bins of nearest-Training correlations.</summary>
    private static readonly double[] BinEdges = [double.NegativeInfinity, 0.7, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 0.999];

    public override int Execute(CommandContext context, DataDuplicatesSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Grid is { } grid)
        {
            OutputPaths.EnsureWritable(grid, settings.Overwrite, "--grid");
        }
        if (settings.Out is { } output)
        {
            OutputPaths.EnsureWritable(output, settings.Overwrite, "--out");
        }
        var loaded = DatasetLoader.Load(settings.Dataset, settings.ToOptions(), cancellationToken);
        var faces = loaded.Faces;
        var present = DataSplits.All.Where(s => faces.IndicesOf(s).Length > 0).ToList();
        if (!present.Contains(DataSplit.Training) || present.Count < 2)
        {
            throw new FerganException($"{settings.Dataset} needs a Training split and a test split to compare (it has {string.Join(", ", present)}).");
        }
        var exact = DuplicateReport.Find(faces);
        var options = new NearDuplicateOptions { MinCorrelation = settings.MinCorrelation, Mirrored = !settings.NoMirror };
        var started = DateTime.UtcNow;
        var splits = new List<SplitFigures>();
        var allNearest = new List<NearestTrainingFace>();
        foreach (var split in DataSplits.All.Where(s => s != DataSplit.Training))
        {
            var queries = faces.IndicesOf(split);
            if (queries.Length == 0)
            {
                continue;
            }
            var nearest = NearDuplicateSearch.NearestInTraining(faces, queries, options, cancellationToken);
            allNearest.AddRange(nearest);
            splits.Add(SplitFigures.From(split, faces, nearest, exact, settings.MinCorrelation));
        }
        var seconds = Math.Round((DateTime.UtcNow - started).TotalSeconds, 1);
        if (settings.Grid is { } png)
        {
            File.WriteAllBytes(png, PairGrid(faces, allNearest, settings.MinCorrelation));
        }
        if (settings.Out is { } outFile)
        {
            DatasetWriter.Write(WithoutCopies(faces, exact, allNearest, options), outFile, settings.Overwrite);
        }
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new
            {
                Source = faces.Provenance.Source, options.MinCorrelation, options.Mirrored, seconds, Splits = splits, grid = settings.Grid, @out = settings.Out,
            });
            return 0;
        }
        Render(consoles.Out, splits, options, seconds, settings.Grid, settings.Out);
        return 0;
    }

    /// <summary>The set without its test faces that are exact or near copies of Training faces; Training untouched.</summary>
    private static FaceSet WithoutCopies(FaceSet faces, DuplicateReport exact, IReadOnlyList<NearestTrainingFace> nearest, NearDuplicateOptions options)
    {
        var copies = nearest.Where(m => m.Training >= 0 && m.Correlation >= options.MinCorrelation).Select(m => m.Query)
            .Concat(nearest.Select(m => m.Query).Where(i => exact.AlsoInTraining(faces, i)))
            .ToHashSet();
        var kept = Enumerable.Range(0, faces.Count).Where(i => !copies.Contains(i)).ToArray();
        var dropped = string.Join(", ", DataSplits.All.Where(s => s != DataSplit.Training)
            .Select(s => $"{copies.Count(i => faces.Split(i) == s)} {s}"));
        return faces.Select(kept, faces.Provenance.WithOperation(
            $"dropped test faces that are exact or near copies of Training faces ({dropped}; pixels correlating >= {options.MinCorrelation} " +
            $"at a shift of up to {options.MaxShift} px{(options.Mirrored ? ", mirror images included" : "")})"));
    }

    /// <summary>The figures of one test split against Training.</summary>
    public sealed record SplitFigures(
        DataSplit Split,
        int Faces,
        int ExactInTraining,
        int NearInTraining,
        int NearMirrored,
        int NearOnly,
        IReadOnlyList<HistogramBin> NearestCorrelation,
        IReadOnlyList<PairFigures> Pairs)
    {
        public static SplitFigures From(DataSplit split, FaceSet faces, IReadOnlyList<NearestTrainingFace> nearest, DuplicateReport exact, double threshold)
        {
            var near = nearest.Where(m => m.Training >= 0 && m.Correlation >= threshold).ToList();
            var exactCount = nearest.Count(m => exact.AlsoInTraining(faces, m.Query));
            var bins = BinEdges.Select((low, b) => new HistogramBin(
                    double.IsNegativeInfinity(low) ? null : low, b + 1 < BinEdges.Length ? BinEdges[b + 1] : null,
                    nearest.Count(m => m.Training >= 0 && m.Correlation >= low && (b + 1 == BinEdges.Length || m.Correlation < BinEdges[b + 1]))))
                .Append(new HistogramBin(null, null, nearest.Count(m => m.Training < 0)))
                .ToList();
            var pairs = near.OrderByDescending(m => m.Correlation)
                .Select(m => new PairFigures(faces.SourceRow(m.Query), faces.SourceRow(m.Training), Math.Round(m.Correlation, 4), m.Mirrored,
                    faces.Label(m.Query).Name(), faces.Label(m.Training).Name(), exact.AlsoInTraining(faces, m.Query)))
                .ToList();
            return new SplitFigures(split, nearest.Count, exactCount, near.Count, near.Count(m => m.Mirrored),
                near.Count(m => !exact.AlsoInTraining(faces, m.Query)), bins, pairs);
        }
    }

    /// <summary>Nearest-Training correlations in [From, To); both null: flat faces, which correlate with nothing.</summary>
    public sealed record HistogramBin(double? From, double? To, int Faces);

    /// <summary>A test face (its source row), its nearest Training face (source row), and what they have in common.</summary>
    public sealed record PairFigures(int Row, int TrainingRow, double Correlation, bool Mirrored, string Label, string TrainingLabel, bool Exact);

    /// <summary>
    /// Rows of test face | nearest Training face pairs: the least similar pairs still above the threshold, then the
    /// most similar below it, so the picture shows where the threshold cuts.
    /// </summary>
    private static byte[] PairGrid(FaceSet faces, IReadOnlyList<NearestTrainingFace> nearest, double threshold)
    {
        const int PairsPerRow = 5, RowsEach = 3;
        var valid = nearest.Where(m => m.Training >= 0).ToList();
        var above = valid.Where(m => m.Correlation >= threshold).OrderBy(m => m.Correlation).Take(PairsPerRow * RowsEach).ToList();
        var below = valid.Where(m => m.Correlation < threshold).OrderByDescending(m => m.Correlation).Take(PairsPerRow * RowsEach).ToList();
        var rows = new List<(string, IReadOnlyList<byte[]>)>();
        void AddRows(List<NearestTrainingFace> pairs, string side)
        {
            foreach (var chunk in pairs.Chunk(PairsPerRow))
            {
                var label = $"r {chunk.Min(m => m.Correlation):.000}-{chunk.Max(m => m.Correlation):.000}";
                var images = chunk.SelectMany(m => new[] { faces.Pixels(m.Query).ToArray(), Oriented(faces.Pixels(m.Training), m.Mirrored) }).ToList();
                rows.Add((label, images));
            }
        }
        AddRows(above, "same");
        AddRows(below, "other");
        if (rows.Count == 0)
        {
            throw new FerganException("no test face has a Training face to pair it with (all flat?).");
        }
        return FaceGrid.RenderPng(rows, scale: 2, columns: 2 * PairsPerRow);
    }

    private static byte[] Oriented(ReadOnlySpan<byte> pixels, bool mirrored)
    {
        var copy = pixels.ToArray();
        if (mirrored)
        {
            for (var y = 0; y < FaceImage.Size; y++)
            {
                Array.Reverse(copy, y * FaceImage.Size, FaceImage.Size);
            }
        }
        return copy;
    }

    private static void Render(IAnsiConsole console, IReadOnlyList<SplitFigures> splits, NearDuplicateOptions options, double seconds, string? grid, string? output)
    {
        console.MarkupLine($"test faces that are the same picture as a Training face: exact (byte-identical), or near (pixels correlate " +
                           $">= {options.MinCorrelation:0.###}{(options.Mirrored ? ", mirrored copies included" : "")}); searched in {seconds:0.0} s");
        var table = new Table().AddColumns("split", "faces", "exact", "near (all)", "near, not exact", "of which mirrored");
        foreach (var s in splits)
        {
            table.AddRow(s.Split.ToString(), $"{s.Faces:N0}", $"{s.ExactInTraining:N0}", $"{s.NearInTraining:N0}", $"{s.NearOnly:N0}", $"{s.NearMirrored:N0}");
        }
        console.Write(table);
        var histogram = new Table().AddColumn("nearest Training face, correlation");
        foreach (var s in splits)
        {
            histogram.AddColumn(s.Split.ToString());
        }
        var binCount = splits[0].NearestCorrelation.Count;
        for (var b = 0; b < binCount; b++)
        {
            var bin = splits[0].NearestCorrelation[b];
            var name = (bin.From, bin.To) switch
            {
                (null, null) => "flat face (none)",
                (null, { } to) => $"< {to:0.###}",
                ({ } from, null) => $">= {from:0.###}",
                ({ } from, { } to) => $"{from:0.###} - {to:0.###}",
            };
            histogram.AddRow([name, .. splits.Select(s => $"{s.NearestCorrelation[b].Faces:N0}")]);
        }
        console.Write(histogram);
        if (grid is not null)
        {
            console.MarkupLine($"pairs around the threshold (test face, then its nearest Training face) in [bold]{Markup.Escape(grid)}[/].");
        }
        if (output is not null)
        {
            console.MarkupLine($"the dataset without those test faces in [bold]{Markup.Escape(output)}[/].");
        }
        console.MarkupLine("`fergan evaluate --exclude-train-duplicates near` scores a split without the near ones.");
    }
}
