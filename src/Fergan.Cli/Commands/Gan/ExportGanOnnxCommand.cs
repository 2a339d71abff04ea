using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Torch.Export;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Gan;

public sealed class ExportGanOnnxSettings : OnnxOutputSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Generator folder (a `gan train` run or a bundled model). Default: the bundled generator.")]
    public string? Model { get; init; }
}

/// <summary>`fergan export gan-onnx`: the generator for ONNX Runtime (the web app's GAN page), checked against TorchSharp first.</summary>
public sealed class ExportGanOnnxCommand(CliConsoles consoles) : Command<ExportGanOnnxSettings>
{
    public override int Execute(CommandContext context, ExportGanOnnxSettings settings, CancellationToken cancellationToken)
    {
        var output = settings.Out!;
        OutputPaths.EnsureWritable(output, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        using var generator = GanGenerator.Load(settings.Model ?? GanGenerator.BundledFolder, settings.Device);
        var model = GeneratorOnnxExporter.Export(generator, new OnnxExportOptions(settings.Half));
        var check = OnnxExportCheck.CompareGenerator(generator, model, settings.Half);
        check.WriteIfPassed(output, model, "generator (faces)");
        consoles.Out.MarkupLine($"wrote [bold]{Markup.Escape(output)}[/] (generator step {generator.Card.Step}, {(settings.Half ? "float16" : "float32")} weights, {model.Length / 1e6:0.0} MB); " +
                                $"ONNX Runtime matches TorchSharp on {check.Faces} faces (max |difference| {check.MaxAbsDifference:G2} on the [[-1, 1]] scale).");
        return 0;
    }
}
