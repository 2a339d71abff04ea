using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Torch.Classifier;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class ExportHalfSettings : TorchSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Classifier or generator folder to convert (a generator folder holds generator.json). Default: the bundled classifier.")]
    public string? Model { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder for the half-size copy (card + weights).")]
    public string? Out { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace --out if it holds files.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() => Out is null ? ValidationResult.Error("--out is required.") : base.Validate();
}

/// <summary>`fergan export half`: a classifier or generator with float16 weights, half the size, for bundling in a repository.</summary>
public sealed class ExportHalfCommand(CliConsoles consoles) : Command<ExportHalfSettings>
{
    public override int Execute(CommandContext context, ExportHalfSettings settings, CancellationToken cancellationToken)
    {
        OutputPaths.EnsureWritable(settings.Out!, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var model = settings.Model ?? EmotionClassifier.BundledFolder;
        string written, weightsFile;
        if (File.Exists(Path.Combine(model, GeneratorCard.CardFile)))
        {
            using var generator = GanGenerator.Load(model, settings.Device);
            generator.SaveHalfPrecision(settings.Out!);
            (written, weightsFile) = ($"generator w{generator.Card.Architecture.Width}, step {generator.Card.Step}", GeneratorCard.WeightsFile);
        }
        else
        {
            using var classifier = EmotionClassifier.Load(model, settings.Device);
            classifier.SaveHalfPrecision(settings.Out!);
            (written, weightsFile) = (classifier.Card.Architecture.ToString(), ClassifierCard.WeightsFile);
        }
        var size = new FileInfo(Path.Combine(settings.Out!, weightsFile)).Length;
        consoles.Out.MarkupLine($"wrote [bold]{Markup.Escape(settings.Out!)}[/] ({Markup.Escape(written)}, float16 weights, {size / 1e6:0.0} MB).");
        return 0;
    }
}
