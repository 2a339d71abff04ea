using System.ComponentModel;
using Fergan.Data.Export;
using Fergan.Data.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

public sealed class DataExportSettings : DatasetSettings
{
    [CommandOption("-o|--out <PATH>")]
    [Description("Output: .fgn (Fergan binary), .csv or .csv.gz (FER2013 layout), or a folder for <split>/<class>/*.png.")]
    public string? Out { get; init; }

    [CommandOption("--overwrite")]
    [Description("Overwrite --out if it exists (or write into a non-empty folder).")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required.") : base.Validate();
}

public sealed class DataExportCommand(CliConsoles consoles) : Command<DataExportSettings>
{
    public override int Execute(CommandContext context, DataExportSettings settings, CancellationToken cancellationToken)
    {
        var loaded = DatasetLoader.Load(settings.Dataset, settings.ToOptions(), cancellationToken);
        DatasetWriter.Write(loaded.Faces, settings.Out!, settings.Overwrite);
        consoles.Out.MarkupLine($"wrote {loaded.Faces.Count:N0} faces to [bold]{Markup.Escape(settings.Out!)}[/] ({DatasetWriter.Describe(settings.Out!)}).");
        return 0;
    }
}
