using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Export;
using Fergan.Data.Loading;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

public sealed class DataSynthesizeSettings : TorchDatasetSettings
{
    [CommandOption("--data <DATASET>")]
    [Description(DatasetSettings.DatasetHelp)]
    public string Data { get; init; } = Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;

    [CommandOption("--gan <DIR>")]
    [Description("The generator folder (generator.json + generator.bin). Default: the bundled generator.")]
    public string? Gan { get; init; }

    [CommandOption("--target <TARGET>")]
    [Description("balance (every emotion up to the largest), N (every emotion up to N), or a ratio of the largest (0.5, 1.5x).")]
    [DefaultValue("balance")]
    public string Target { get; init; } = "balance";

    [CommandOption("-o|--out <FILE>")]
    [Description("Output dataset: .fgn (keeps the synthetic flag and provenance), .csv/.csv.gz (adds a synthetic column), or a folder.")]
    public string? Out { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the generator's noise.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("--truncation <T>")]
    [Description("Redraw noise beyond +-T (more typical faces, less variety). Default: none.")]
    public double? Truncation { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace --out if it exists.")]
    public bool Overwrite { get; init; }

    [CommandOption("--json")]
    [Description("Print the per-emotion counts as one JSON object.")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required.")
        : Truncation is <= 0 ? ValidationResult.Error($"--truncation must be positive (got {Truncation}).")
        : base.Validate();
}

public sealed class DataSynthesizeCommand(CliConsoles consoles) : Command<DataSynthesizeSettings>
{
    public override int Execute(CommandContext context, DataSynthesizeSettings settings, CancellationToken cancellationToken)
    {
        var target = SynthesisTarget.Parse(settings.Target);
        var output = settings.Out!;
        OutputPaths.EnsureWritable(output, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var generatorFolder = settings.Gan ?? GanGenerator.BundledFolder;
        using var generator = GanGenerator.Load(generatorFolder, settings.Device);
        if (generator.Card.LabelCaution(generatorFolder) is { } caution)
        {
            consoles.Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(caution)}");
        }
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        var result = GanSynthesis.Augment(faces, generator, target, settings.Seed, settings.Truncation ?? double.PositiveInfinity);
        DatasetWriter.Write(result.Faces, output, settings.Overwrite);

        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new
            {
                source = settings.Data,
                generator = generator.Card.Data,
                generator_step = generator.Card.Step,
                target = settings.Target,
                seed = settings.Seed,
                before = Emotions.All.ToDictionary(e => e.Name(), e => result.Before[(int)e]),
                added = Emotions.All.ToDictionary(e => e.Name(), e => result.Added[(int)e]),
                after = Emotions.All.ToDictionary(e => e.Name(), e => result.After[(int)e]),
                total = result.Faces.Count,
                output,
            });
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("emotion")
            .AddColumn(new TableColumn("Training real").RightAligned())
            .AddColumn(new TableColumn("+ synthetic").RightAligned())
            .AddColumn(new TableColumn("after").RightAligned());
        foreach (var e in Emotions.All)
        {
            table.AddRow(e.Name(), result.Before[(int)e].ToString("N0"), result.Added[(int)e].ToString("N0"), result.After[(int)e].ToString("N0"));
        }
        consoles.Out.Write(table);
        consoles.Out.MarkupLine($"wrote {result.Faces.Count:N0} faces ({result.Added.Sum():N0} synthetic, marked as such) to [bold]{Markup.Escape(output)}[/] ({DatasetWriter.Describe(output)}).");
        return 0;
    }
}
