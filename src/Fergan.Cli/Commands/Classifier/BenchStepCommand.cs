using System.ComponentModel;
using System.Globalization;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Loading;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class BenchStepSettings : TorchDatasetSettings
{
    [CommandOption("--data <DATASET>")]
    [Description("Faces for the trainer step (only their Training split is used). Default: 3,589 synthetic faces.")]
    [DefaultValue("synthetic:3589")]
    public string Data { get; init; } = "synthetic:3589";

    [CommandOption("--arch <ARCH>")]
    [Description("baseline, vgg or resnet.")]
    [DefaultValue(ClassifierKind.Vgg)]
    public ClassifierKind Arch { get; init; } = ClassifierKind.Vgg;

    [CommandOption("--width <N>")]
    [Description("Base channel width (vgg-64 is the full profile's 9.4M-parameter net).")]
    [DefaultValue(16)]
    public int Width { get; init; } = 16;

    [CommandOption("--batch-size <N>")]
    [Description("Images per step.")]
    [DefaultValue(64)]
    public int BatchSize { get; init; } = 64;

    [CommandOption("--steps <N>")]
    [Description("Steps per timed window.")]
    [DefaultValue(20)]
    public int Steps { get; init; } = 20;

    [CommandOption("--repeats <N>")]
    [Description("Timed windows; the median is reported.")]
    [DefaultValue(3)]
    public int Repeats { get; init; } = 3;

    [CommandOption("--warmup <N>")]
    [Description("Untimed steps before the windows.")]
    [DefaultValue(3)]
    public int Warmup { get; init; } = 3;

    [CommandOption("--no-augment")]
    [Description("Leave out the trainer's on-device augmentation (measures the data path alone).")]
    public bool NoAugment { get; init; }

    [CommandOption("--precision <FORMAT>")]
    [Description(PrecisionHelp.Text)]
    [DefaultValue(ComputePrecision.Fp32)]
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    [CommandOption("--channels-last")]
    [Description(PrecisionHelp.ChannelsLast)]
    public bool ChannelsLast { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as one JSON object.")]
    public bool Json { get; init; }
}

/// <summary>`fergan bench step`: the classifier trainer's step against libtorch alone (framework overhead).</summary>
public sealed class BenchStepCommand(CliConsoles consoles) : Command<BenchStepSettings>
{
    public override int Execute(CommandContext context, BenchStepSettings settings, CancellationToken cancellationToken)
    {
        var runtime = TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        var options = new StepBenchmarkOptions
        {
            Architecture = new ClassifierArchitecture(settings.Arch, settings.Width),
            BatchSize = settings.BatchSize,
            Steps = settings.Steps,
            Repeats = settings.Repeats,
            Warmup = settings.Warmup,
            Augment = !settings.NoAugment,
            Device = runtime.Device,
            Precision = settings.Precision,
            ChannelsLast = settings.ChannelsLast,
        };
        var result = TrainingStepBenchmark.Run(options, faces, cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new
            {
                result.Architecture, result.Parameters, result.BatchSize, result.Device, result.Precision, result.ChannelsLast, result.Steps, result.Repeats,
                result.LibtorchImagesPerSecond, result.LibtorchWindows, result.TrainerImagesPerSecond, result.TrainerWindows,
                result.TrainerShare, runtime.Threads, LibtorchVersion = runtime.LibTorchVersion,
            });
            return 0;
        }
        string Rate(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        consoles.Out.MarkupLine($"{result.Architecture} ({result.Parameters:N0} parameters), batch {result.BatchSize} on {Markup.Escape(result.Device)} " +
            $"({runtime.Threads} threads), {PrecisionHelp.Describe(result.Precision, result.ChannelsLast)}, median of {result.Repeats} x {result.Steps} steps:");
        consoles.Out.MarkupLine($"  libtorch alone (fixed batch):         {Rate(result.LibtorchImagesPerSecond),9} images/s");
        consoles.Out.MarkupLine($"  fergan trainer step (data{(options.Augment ? " + augment" : "")}): {Rate(result.TrainerImagesPerSecond),9} images/s ({result.TrainerShare:P0} of libtorch)");
        return 0;
    }
}
