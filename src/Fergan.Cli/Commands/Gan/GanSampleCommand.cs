using System.ComponentModel;
using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Gan;

public sealed class GanSampleSettings : TorchSettings
{
    [CommandOption("-m|--model <DIR>")]
    [Description("A generator folder (generator.json + generator.bin), e.g. a `gan train` run. Default: the bundled generator.")]
    public string? Model { get; init; }

    [CommandOption("-c|--class <EMOTION>")]
    [Description("The emotion to draw: a name (angry, disgust, fear, happy, sad, surprise, neutral) or 0-6.")]
    public string? Class { get; init; }

    [CommandOption("-n|--count <N>")]
    [Description("How many faces.")]
    [DefaultValue(16)]
    public int Count { get; init; } = 16;

    [CommandOption("-o|--out <PATH>")]
    [Description("A folder for one PNG per face, or a file ending in .png for one grid.")]
    public string? Out { get; init; }

    [CommandOption("--truncation <T>")]
    [Description("Redraw noise beyond +-T (more typical faces, less variety). Default: none.")]
    public double? Truncation { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the noise: the same seed gives the same faces.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("--overwrite")]
    [Description("Replace existing output files.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() =>
        Class is null ? ValidationResult.Error("--class is required (e.g. --class disgust).")
        : Out is null ? ValidationResult.Error("--out is required: a folder, or a .png file for a grid.")
        : Count < 1 ? ValidationResult.Error($"--count must be at least 1 (got {Count}).")
        : Truncation is <= 0 ? ValidationResult.Error($"--truncation must be positive (got {Truncation}).")
        : ValidationResult.Success();
}

public sealed class GanSampleCommand(CliConsoles consoles) : Command<GanSampleSettings>
{
    public override int Execute(CommandContext context, GanSampleSettings settings, CancellationToken cancellationToken)
    {
        var emotion = Emotions.Parse(settings.Class!);
        var output = settings.Out!;
        var grid = output.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
        var files = grid ? [output] : Enumerable.Range(0, settings.Count).Select(i => Path.Combine(output, $"{emotion.Name()}-{i:D4}.png")).ToList();
        var existing = files.FirstOrDefault(File.Exists);
        if (existing is not null && !settings.Overwrite)
        {
            throw new FerganException($"--out: {existing} already exists; pass --overwrite to replace it.");
        }

        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var folder = settings.Model ?? GanGenerator.BundledFolder;
        using var generator = GanGenerator.Load(folder, settings.Device);
        var faces = generator.SampleFaces(emotion, settings.Count, settings.Truncation ?? double.PositiveInfinity, settings.Seed);

        if (grid)
        {
            const int Columns = 10;
            var rows = faces.Chunk(Columns).Select((chunk, r) => (r == 0 ? emotion.Name() : "", (IReadOnlyList<byte[]>)chunk)).ToList();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllBytes(output, FaceGrid.RenderPng(rows, scale: 2, columns: Math.Min(Columns, faces.Count)));
        }
        else
        {
            Directory.CreateDirectory(output);
            for (var i = 0; i < faces.Count; i++)
            {
                File.WriteAllBytes(files[i], GrayFaceDecoder.EncodePng(faces[i]));
            }
        }
        consoles.Out.MarkupLine($"drew {faces.Count} {emotion.Name()} face(s) from [bold]{Markup.Escape(folder)}[/] " +
                                $"(step {generator.Card.Step}, seed {settings.Seed}) into [bold]{Markup.Escape(output)}[/].");
        return 0;
    }
}
