using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Analysis;
using Fergan.Data.Duplicates;
using Fergan.Data.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

public sealed class DataStatsSettings : DatasetSettings
{
    [CommandOption("--json")]
    [Description("Print one JSON object (splits, imbalance, duplicates, ingest) instead of tables.")]
    public bool Json { get; init; }

    [CommandOption("--plot <PNG>")]
    [Description("Also save the class-distribution bar chart to this PNG file.")]
    public string? Plot { get; init; }

    [CommandOption("--overwrite")]
    [Description("Overwrite the --plot file if it exists.")]
    public bool Overwrite { get; init; }
}

public sealed class DataStatsCommand(CliConsoles consoles) : Command<DataStatsSettings>
{
    public sealed record LoadFigures(double Seconds, bool FromCache, string? CachePath, string? CacheNote);

    public override int Execute(CommandContext context, DataStatsSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Plot is { } plot)
        {
            OutputPaths.EnsureWritable(plot, settings.Overwrite, "--plot");
        }
        var loaded = DatasetLoader.Load(settings.Dataset, settings.ToOptions(), cancellationToken);
        var stats = DatasetStatistics.Compute(loaded.Faces, DuplicateReport.Find(loaded.Faces));
        if (settings.Plot is { } png)
        {
            DistributionPlot.SavePng(stats, png);
        }
        var load = new LoadFigures(Math.Round(loaded.LoadTime.TotalSeconds, 3), loaded.FromCache, loaded.CachePath, loaded.CacheNote);
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new
            {
                stats.Source, stats.Format, stats.SplitMethod, stats.LabelSource, stats.Total,
                stats.Splits, stats.Synthetic, stats.Imbalance, stats.RealImbalance, stats.Duplicates, stats.Ingest, load, plot = settings.Plot,
            });
            return 0;
        }
        Render(consoles.Out, settings.Dataset, stats, load, settings.Plot);
        return 0;
    }

    private static void Render(IAnsiConsole console, string dataset, DatasetStatistics stats, LoadFigures load, string? plot)
    {
        // A .fgn written by balance, synthesize or export keeps its origin's provenance: name the file asked for
        // first, so the header does not read as if the origin had been loaded.
        var origin = stats.Source == dataset ? "" : $"{Markup.Escape(dataset)}, from ";
        console.MarkupLine($"[bold]{origin}{Markup.Escape(stats.Source)}[/] ({stats.Format}, {stats.Total:N0} faces, " +
                           $"loaded in {load.Seconds:0.00} s{(load.FromCache ? " from the parse cache" : "")})");
        console.MarkupLine($"split: {Markup.Escape(stats.SplitMethod)}; labels: {Markup.Escape(stats.LabelSource)}");

        var table = new Table().Border(TableBorder.Rounded).AddColumn("emotion");
        foreach (var split in stats.Splits.Keys)
        {
            table.AddColumn(new TableColumn(split).RightAligned());
        }
        table.AddColumn(new TableColumn("total").RightAligned());
        foreach (var name in Emotions.Names)
        {
            var cells = stats.Splits.Values.Select(c => c[name].ToString("N0")).Append(stats.Splits.Values.Sum(c => c[name]).ToString("N0"));
            table.AddRow([name, .. cells]);
        }
        table.AddRow(["[bold]total[/]", .. stats.Splits.Values.Select(c => $"[bold]{c.Values.Sum():N0}[/]"), $"[bold]{stats.Total:N0}[/]"]);
        console.Write(table);

        foreach (var (split, imbalance) in stats.Imbalance)
        {
            var empty = imbalance.EmptyClasses > 0 ? $"; [yellow]{imbalance.EmptyClasses} emotion(s) absent[/]" : "";
            console.MarkupLine($"imbalance {split}: [bold]{Markup.Escape(imbalance.Describe())}[/]{empty}");
        }
        // A set from `data synthesize`: how much of each class is generated, and what the real faces alone look like.
        foreach (var (split, generated) in stats.Synthetic)
        {
            var realImbalance = stats.RealImbalance.TryGetValue(split, out var real) ? $"; real faces alone: {Markup.Escape(real.Describe())}" : "";
            console.MarkupLine($"generated (marked synthetic) in {split}: [bold]{generated.Values.Sum():N0}[/] of {stats.Splits[split].Values.Sum():N0} (" +
                               string.Join(", ", generated.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value:N0}")) + $"){realImbalance}");
        }

        var d = stats.Duplicates;
        console.MarkupLine($"duplicates: {d.DistinctImages:N0} distinct images; {d.DuplicateGroups:N0} groups of identical images " +
                           $"({d.FacesInGroups:N0} faces), {d.LabelConflictGroups:N0} with conflicting labels; {d.AllBlackImages:N0} all-black images");
        foreach (var (pair, count) in d.CrossSplit.Where(kv => kv.Value > 0))
        {
            var parts = pair.Split("_in_");
            console.MarkupLine($"  {parts[0]} images also in {parts[1]}: [bold]{count:N0}[/]");
        }
        foreach (var (split, count) in d.WithinSplit.Where(kv => kv.Value > 0))
        {
            console.MarkupLine($"  repeats inside {split}: {count:N0}");
        }

        var ingest = stats.Ingest;
        if (ingest.SkippedRecords > 0)
        {
            console.MarkupLine($"[yellow]skipped {ingest.SkippedRecords:N0} malformed record(s)[/] (--skip-bad), e.g.:");
            foreach (var example in ingest.SkipExamples)
            {
                console.MarkupLine($"  {Markup.Escape(example)}");
            }
        }
        foreach (var (kind, count) in ingest.Conversions)
        {
            console.MarkupLine($"converted: {Markup.Escape(kind)}: {count:N0} image(s)");
        }
        if (ingest.IgnoredFiles > 0)
        {
            console.MarkupLine($"ignored {ingest.IgnoredFiles:N0} hidden file(s) or folder(s)");
        }
        foreach (var operation in ingest.Operations)
        {
            console.MarkupLine($"applied: {Markup.Escape(operation)}");
        }
        if (load.CacheNote is { } note)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(note.TrimStart(';', ' '))}[/]");
        }
        if (plot is not null)
        {
            console.MarkupLine($"plot: {Markup.Escape(plot)}");
        }
    }
}
