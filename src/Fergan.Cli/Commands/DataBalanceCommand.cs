using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Balancing;
using Fergan.Data.Export;
using Fergan.Data.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

public enum DataBalanceStrategy
{
    /// <summary>Keep at most N faces per emotion (the seed report's trimming).</summary>
    Cap,
}

public sealed class DataBalanceSettings : DatasetSettings
{
    [CommandOption("--strategy <STRATEGY>")]
    [Description("cap: keep at most --max-per-class faces of each emotion. (GAN synthesis is `data synthesize`.)")]
    [DefaultValue(DataBalanceStrategy.Cap)]
    public DataBalanceStrategy Strategy { get; init; } = DataBalanceStrategy.Cap;

    [CommandOption("--max-per-class <N>")]
    [Description("The cap per emotion.")]
    public int? MaxPerClass { get; init; }

    [CommandOption("--split|--target-split <SPLIT>")]
    [Description("The split to balance; the others are copied unchanged.")]
    [DefaultValue(DataSplit.Training)]
    public DataSplit TargetSplit { get; init; } = DataSplit.Training;

    [CommandOption("--seed <N>")]
    [Description("Seed of the random choice of faces to keep.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("-o|--out <FILE>")]
    [Description("Output: .fgn, .csv, .csv.gz, or a folder for PNG images.")]
    public string? Out { get; init; }

    [CommandOption("--overwrite")]
    [Description("Overwrite --out if it exists.")]
    public bool Overwrite { get; init; }

    [CommandOption("--json")]
    [Description("Print the before/after counts as one JSON object.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Out is null)
        {
            return ValidationResult.Error("--out is required: where to write the balanced dataset.");
        }
        if (Strategy == DataBalanceStrategy.Cap && MaxPerClass is null or < 1)
        {
            return ValidationResult.Error("--strategy cap needs --max-per-class N (N >= 1).");
        }
        return base.Validate();
    }
}

public sealed class DataBalanceCommand(CliConsoles consoles) : Command<DataBalanceSettings>
{
    public override int Execute(CommandContext context, DataBalanceSettings settings, CancellationToken cancellationToken)
    {
        var output = settings.Out!;
        OutputPaths.EnsureWritable(output, settings.Overwrite, "--out");
        var loaded = DatasetLoader.Load(settings.Dataset, settings.ToOptions(), cancellationToken);
        var balance = new CapBalance(settings.MaxPerClass!.Value, settings.Seed, settings.TargetSplit);
        var result = balance.Apply(loaded.Faces);
        DatasetWriter.Write(result.Faces, output, settings.Overwrite);

        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new
            {
                source = settings.Dataset,
                operation = result.Operation,
                strategy = settings.Strategy,
                max_per_class = balance.MaxPerClass,
                seed = balance.Seed,
                split = balance.Split.ToString(),
                before = Emotions.All.ToDictionary(e => e.Name(), e => result.Before[(int)e]),
                after = Emotions.All.ToDictionary(e => e.Name(), e => result.After[(int)e]),
                removed = result.Removed,
                total = result.Faces.Count,
                output,
                format = DatasetWriter.Describe(output),
            });
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("emotion")
            .AddColumn(new TableColumn($"{balance.Split} before").RightAligned())
            .AddColumn(new TableColumn("after").RightAligned());
        foreach (var e in Emotions.All)
        {
            table.AddRow(e.Name(), result.Before[(int)e].ToString("N0"), result.After[(int)e].ToString("N0"));
        }
        table.AddRow("[bold]total[/]", $"[bold]{result.Before.Sum():N0}[/]", $"[bold]{result.After.Sum():N0}[/]");
        consoles.Out.Write(table);
        consoles.Out.MarkupLine($"{Markup.Escape(result.Operation)}: removed {result.Removed:N0} faces; " +
                                $"wrote {result.Faces.Count:N0} faces to [bold]{Markup.Escape(output)}[/] ({DatasetWriter.Describe(output)}).");
        return 0;
    }
}
