using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Torch.Classifier;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class ExportHalfSettings : TorchSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Classifier folder to convert. Default: the bundled classifier.")]
    public string? Model { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder for the half-size copy (classifier.json + classifier.bin).")]
    public string? Out { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace --out if it holds files.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() => Out is null ? ValidationResult.Error("--out is required.") : base.Validate();
}

/// <summary>`fergan export half`: a classifier with float16 weights, half the size, for bundling in a repository.</summary>
public sealed class ExportHalfCommand(CliConsoles consoles) : Command<ExportHalfSettings>
{
    public override int Execute(CommandContext context, ExportHalfSettings settings, CancellationToken cancellationToken)
    {
        OutputPaths.EnsureWritable(settings.Out!, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        using var classifier = EmotionClassifier.Load(settings.Model ?? EmotionClassifier.BundledFolder, settings.Device);
        classifier.SaveHalfPrecision(settings.Out!);
        var size = new FileInfo(Path.Combine(settings.Out!, ClassifierCard.WeightsFile)).Length;
        consoles.Out.MarkupLine($"wrote [bold]{Markup.Escape(settings.Out!)}[/] ({classifier.Card.Architecture}, float16 weights, {size / 1e6:0.0} MB).");
        return 0;
    }
}
