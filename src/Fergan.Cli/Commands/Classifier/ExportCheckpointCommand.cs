using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class ExportCheckpointSettings : TorchSettings
{
    [CommandOption("--model <DIR>")]
    [Description("A `fergan train` run folder.")]
    public string? Model { get; init; }

    [CommandOption("--epoch <N>")]
    [Description("The epoch to export: one whose checkpoint the run keeps (its last two). Default: the newest.")]
    public int? Epoch { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder for the classifier (card + weights).")]
    public string? Out { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace --out if it holds files.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() =>
        Model is null ? ValidationResult.Error("--model is required: the run folder whose epoch to export.")
        : Out is null ? ValidationResult.Error("--out is required.")
        : Epoch is < 1 ? ValidationResult.Error($"--epoch must be at least 1 (got {Epoch}).")
        : base.Validate();
}

/// <summary>
/// `fergan export checkpoint`: one kept epoch of a training run as a classifier folder, for an epoch that selection on
/// validation accuracy did not keep (the last epoch of a fine-tune judged on robustness, say).
/// </summary>
public sealed class ExportCheckpointCommand(CliConsoles consoles) : Command<ExportCheckpointSettings>
{
    public override int Execute(CommandContext context, ExportCheckpointSettings settings, CancellationToken cancellationToken)
    {
        OutputPaths.EnsureWritable(settings.Out!, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var selected = ClassifierCard.Read(settings.Model!).Selection;
        var card = CheckpointExport.Export(settings.Model!, settings.Epoch, settings.Out!);
        using (EmotionClassifier.Load(settings.Out!, settings.Device))
        {
            // Loaded once to check that the weights fit the card before anyone relies on the folder.
        }
        var scores = card.Selection!;
        consoles.Out.MarkupLine($"wrote [bold]{Markup.Escape(settings.Out!)}[/] ({card.Architecture}, epoch {scores.Epoch} of {Markup.Escape(settings.Model!)}: " +
            $"{scores.Split} accuracy {scores.Accuracy:P2}, macro-F1 {scores.MacroF1:0.000}" +
            (selected is { } s && s.Epoch != scores.Epoch ? $"; the run's own model is epoch {s.Epoch}, {s.Accuracy:P2})." : ")."));
        return 0;
    }
}
