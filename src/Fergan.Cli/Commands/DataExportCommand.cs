using System.ComponentModel;
using Fergan.Data;
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

    [CommandOption("--splits <LIST>")]
    [Description("Only these splits, comma-separated (e.g. Training,PublicTest: everything but the test split). Default: all.")]
    public string? Splits { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required.")
        : Splits is not null && ParseSplits(Splits) is null ? ValidationResult.Error($"--splits: '{Splits}' is not a comma-separated list of Training, PublicTest, PrivateTest.")
        : base.Validate();

    public static IReadOnlyList<DataSplit>? ParseSplits(string text)
    {
        var splits = new List<DataSplit>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!DataSplits.TryParseUsage(part, out var split))
            {
                return null;
            }
            splits.Add(split);
        }
        return splits.Count == 0 ? null : splits;
    }
}

public sealed class DataExportCommand(CliConsoles consoles) : Command<DataExportSettings>
{
    public override int Execute(CommandContext context, DataExportSettings settings, CancellationToken cancellationToken)
    {
        var faces = DatasetLoader.Load(settings.Dataset, settings.ToOptions(), cancellationToken).Faces;
        if (settings.Splits is not null)
        {
            var keep = DataExportSettings.ParseSplits(settings.Splits)!;
            var indices = Enumerable.Range(0, faces.Count).Where(i => keep.Contains(faces.Split(i))).ToArray();
            faces = faces.Select(indices, faces.Provenance.WithOperation($"kept splits {string.Join(",", keep)}"));
        }
        DatasetWriter.Write(faces, settings.Out!, settings.Overwrite);
        consoles.Out.MarkupLine($"wrote {faces.Count:N0} faces to [bold]{Markup.Escape(settings.Out!)}[/] ({DatasetWriter.Describe(settings.Out!)}).");
        return 0;
    }
}
