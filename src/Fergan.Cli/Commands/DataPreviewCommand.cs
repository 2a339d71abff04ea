using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Data.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

public sealed class DataPreviewSettings : DatasetSettings
{
    [CommandOption("-o|--out <PNG>")]
    [Description("The grid PNG to write (one row per emotion).")]
    public string? Out { get; init; }

    [CommandOption("--per-class <N>")]
    [Description("Faces per emotion.")]
    [DefaultValue(10)]
    public int PerClass { get; init; } = 10;

    [CommandOption("--split|--target-split <SPLIT>")]
    [Description("Which split to show.")]
    [DefaultValue(DataSplit.Training)]
    public DataSplit TargetSplit { get; init; } = DataSplit.Training;

    [CommandOption("--generated")]
    [Description("Show the generated faces (rows marked synthetic, from `data synthesize`) instead of the real ones.")]
    public bool Generated { get; init; }

    [CommandOption("--overwrite")]
    [Description("Overwrite --out if it exists.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required.")
        : PerClass is < 1 or > 100 ? ValidationResult.Error("--per-class must be 1 to 100.")
        : base.Validate();
}

public sealed class DataPreviewCommand(CliConsoles consoles) : Command<DataPreviewSettings>
{
    public override int Execute(CommandContext context, DataPreviewSettings settings, CancellationToken cancellationToken)
    {
        OutputPaths.EnsureWritable(settings.Out!, settings.Overwrite, "--out");
        var faces = DatasetLoader.Load(settings.Dataset, settings.ToOptions(), cancellationToken).Faces;
        // A synthesized set lists its generated faces after the real ones, so the first faces per emotion are real:
        // choose which kind to show.
        var shown = Enumerable.Range(0, faces.Count).Where(i => faces.IsSynthetic(i) == settings.Generated).ToArray();
        if (settings.Generated && shown.Length == 0)
        {
            throw new FerganException($"{settings.Dataset} has no generated faces (rows marked synthetic come from `fergan data synthesize`).");
        }
        if (!shown.Any(i => faces.Split(i) == settings.TargetSplit))
        {
            var present = shown.GroupBy(faces.Split).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}");
            throw new FerganException($"{settings.Dataset} has no {(settings.Generated ? "generated" : "real")} {settings.TargetSplit} faces to show (it has {string.Join(", ", present)}); choose one with --split.");
        }
        File.WriteAllBytes(settings.Out!, FaceGrid.RenderDataset(faces.Select(shown), settings.TargetSplit, settings.PerClass));
        consoles.Out.MarkupLine($"wrote a grid of up to {settings.PerClass} {(settings.Generated ? "generated" : "real")} {settings.TargetSplit} faces per emotion to [bold]{Markup.Escape(settings.Out!)}[/].");
        return 0;
    }
}
