using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Torch.Classifier;
using Fergan.Torch.Export;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class ExportOnnxSettings : OnnxOutputSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Classifier folder to export. Default: the bundled classifier.")]
    public string? Model { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as one JSON object.")]
    public bool Json { get; init; }
}

/// <summary>
/// `fergan export onnx`: the classifier as an ONNX model for ONNX Runtime (predict, serve, other languages), checked
/// before it is kept: ONNX Runtime and TorchSharp must agree on a fixed batch of faces.
/// </summary>
public sealed class ExportOnnxCommand(CliConsoles consoles) : Command<ExportOnnxSettings>
{
    public override int Execute(CommandContext context, ExportOnnxSettings settings, CancellationToken cancellationToken)
    {
        var output = settings.Out!;
        OutputPaths.EnsureWritable(output, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        using var classifier = EmotionClassifier.Load(settings.Model ?? EmotionClassifier.BundledFolder, settings.Device);
        var model = ClassifierOnnxExporter.Export(classifier, new OnnxExportOptions(settings.Half));
        var check = OnnxExportCheck.Compare(classifier, model, settings.Half);
        check.WriteIfPassed(output, model, "classifier (probabilities)");
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new { path = Path.GetFullPath(output), bytes = model.Length, architecture = classifier.Card.Architecture.ToString(), half = settings.Half, max_abs_difference = check.MaxAbsDifference, faces_checked = check.Faces });
            return 0;
        }
        consoles.Out.MarkupLine($"wrote [bold]{Markup.Escape(output)}[/] ({classifier.Card.Architecture}, {(settings.Half ? "float16" : "float32")} weights, {model.Length / 1e6:0.0} MB); " +
            $"ONNX Runtime matches TorchSharp on {check.Faces} faces (max |difference| of probabilities {check.MaxAbsDifference:G2}).");
        return 0;
    }
}
