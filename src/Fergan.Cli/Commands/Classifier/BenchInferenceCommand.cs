using System.ComponentModel;
using System.Globalization;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Loading;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class BenchInferenceSettings : TorchDatasetSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Classifier folder with classifier.json, classifier.bin and (for onnx) classifier.onnx. Default: the bundled classifier.")]
    public string? Model { get; init; }

    [CommandOption("--data <DATASET>")]
    [Description("Faces to classify (the set's first --faces faces, any split). Default: 700 synthetic faces.")]
    [DefaultValue("synthetic:700")]
    public string Data { get; init; } = "synthetic:700";

    [CommandOption("--runtime <LIST>")]
    [Description("Comma-separated runtimes: torch (TorchSharp) and/or onnx (ONNX Runtime on classifier.onnx). The first is the reference for max_probability_difference.")]
    [DefaultValue("torch,onnx")]
    public string Runtime { get; init; } = "torch,onnx";

    [CommandOption("--batch-sizes <LIST>")]
    [Description("Comma-separated faces per call.")]
    [DefaultValue("1,16,64")]
    public string BatchSizes { get; init; } = "1,16,64";

    [CommandOption("--faces <N>")]
    [Description("Faces classified in one timed window.")]
    [DefaultValue(256)]
    public int Faces { get; init; } = 256;

    [CommandOption("--repeats <N>")]
    [Description("Timed windows per runtime and batch size (alternating between runtimes); the median is reported.")]
    [DefaultValue(5)]
    public int Repeats { get; init; } = 5;

    [CommandOption("--tta")]
    [Description("Ten-crop test-time augmentation (ten views a face; ONNX Runtime then runs at most 6 faces a call).")]
    public bool Tta { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as one JSON object.")]
    public bool Json { get; init; }

    public IReadOnlyList<string> Runtimes => Runtime.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IReadOnlyList<int> ParsedBatchSizes => BatchSizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).ToList();

    public override ValidationResult Validate() =>
        Runtimes.Count == 0 || Runtimes.Any(r => r is not ("torch" or "onnx")) || Runtimes.Distinct().Count() != Runtimes.Count
            ? ValidationResult.Error($"--runtime: '{Runtime}' is not a list of distinct runtimes from torch, onnx.")
        : ParsedBatchSizes.Count == 0 || ParsedBatchSizes.Any(b => b < 1)
            ? ValidationResult.Error($"--batch-sizes: '{BatchSizes}' is not a comma-separated list of positive whole numbers.")
        : Faces < 1 ? ValidationResult.Error($"--faces must be at least 1 (got {Faces}).")
        : Repeats < 1 ? ValidationResult.Error($"--repeats must be at least 1 (got {Repeats}).")
        : base.Validate();
}

/// <summary>`fergan bench inference`: one classifier's images/s under TorchSharp and ONNX Runtime, same faces and threads.</summary>
public sealed class BenchInferenceCommand(CliConsoles consoles) : Command<BenchInferenceSettings>
{
    public override int Execute(CommandContext context, BenchInferenceSettings settings, CancellationToken cancellationToken)
    {
        var runtime = TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        var folder = settings.Model ?? EmotionClassifier.BundledFolder;
        var predictors = new List<(string, IEmotionPredictor)>();
        try
        {
            foreach (var name in settings.Runtimes)
            {
                // Both runtimes get libtorch's thread count, so the comparison is of kernels, not of threads.
                predictors.Add((name, name == "torch" ? EmotionClassifier.Load(folder, settings.Device) : new OnnxPredictor(folder, runtime.Threads)));
            }
            var timings = InferenceBenchmark.Run(predictors, faces, new InferenceBenchmarkOptions
            {
                BatchSizes = settings.ParsedBatchSizes,
                Faces = settings.Faces,
                Repeats = settings.Repeats,
                TestTimeAugmentation = settings.Tta,
            }, cancellationToken);
            if (settings.Json)
            {
                JsonOutput.Write(consoles.Out, new
                {
                    Model = Path.GetFullPath(folder), settings.Data, runtime.Device, runtime.Threads, LibtorchVersion = runtime.LibTorchVersion,
                    settings.Faces, settings.Repeats, Tta = settings.Tta, Timings = timings,
                });
                return 0;
            }
            Render(timings, runtime, settings);
            return 0;
        }
        finally
        {
            foreach (var (_, predictor) in predictors)
            {
                predictor.Dispose();
            }
        }
    }

    private void Render(IReadOnlyList<InferenceTiming> timings, TorchRuntimeInfo runtime, BenchInferenceSettings settings)
    {
        consoles.Out.MarkupLine($"Classifier inference on {Markup.Escape(runtime.Device)} ({runtime.Threads} threads), " +
            $"{settings.Faces} faces a window{(settings.Tta ? ", ten-crop TTA" : "")}, median of {settings.Repeats} windows:");
        var table = new Table().AddColumns("runtime", "batch", "images/s", "windows", "max |p - p(first)|");
        foreach (var t in timings)
        {
            table.AddRow(t.Runtime, t.BatchSize.ToString(CultureInfo.InvariantCulture), t.ImagesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                string.Join(" ", t.Windows.Select(w => w.ToString("N0", CultureInfo.InvariantCulture))),
                t.MaxProbabilityDifference.ToString("0.0e+0", CultureInfo.InvariantCulture));
        }
        consoles.Out.Write(table);
    }
}
