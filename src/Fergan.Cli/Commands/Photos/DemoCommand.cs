using System.ComponentModel;
using Fergan.Vision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Photos;

public sealed class DemoSettings : CommandSettings
{
    [CommandOption("-o|--out <DIR>")]
    [Description("Folder for the annotated photos. Default: a new fergan-demo/<date-time> folder (never overwritten).")]
    public string? Out { get; init; }
}

/// <summary>`fergan demo`: predict on the bundled sample photos with the bundled models, annotated copies written.</summary>
public sealed class DemoCommand(CliConsoles consoles) : Command<DemoSettings>
{
    /// <summary>The sample photos next to the program (samples/photos of the repository, copied at build time).</summary>
    public static string SamplePhotos => Path.Combine(AppContext.BaseDirectory, "samples", "photos");

    public override int Execute(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        var output = settings.Out ?? Path.Combine("fergan-demo", DateTime.Now.ToString("yyyyMMdd-HHmmss"));
        consoles.Error.WriteLine($"fergan demo: the bundled BlazeFace detector and classifier ({Path.Combine(FerPipeline.BundledModels, "classifier", "classifier.onnx")}) on {SamplePhotos}");
        var predict = new PredictSettings { Images = [SamplePhotos], Annotate = output };
        var code = new PredictCommand(consoles).Execute(context, predict, cancellationToken);
        consoles.Out.MarkupLine($"Open [bold]{Markup.Escape(Path.GetFullPath(output))}[/] to see the labelled photos; `fergan predict <your photos>` does the same for yours.");
        return code;
    }
}
