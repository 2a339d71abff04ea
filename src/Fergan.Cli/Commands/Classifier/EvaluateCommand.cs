using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Data.Robustness;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class EvaluateSettings : TorchDatasetSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Classifier folder (classifier.json + classifier.bin). Default: the bundled classifier. Give it more than once to score the ensemble of those classifiers (the mean of their probabilities).")]
    public string[]? Model { get; init; }

    [CommandOption("--data <DATASET>")]
    [Description(DatasetSettings.DatasetHelp)]
    public string Data { get; init; } = Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;

    [CommandOption("--split <SPLIT>")]
    [Description("Training, PublicTest or PrivateTest (score the test split once per reported model).")]
    [DefaultValue("PrivateTest")]
    public string EvaluateSplit { get; init; } = "PrivateTest";

    [CommandOption("--exclude-train-duplicates [KIND]")]
    [Description("Leave out faces that also occur in the Training split: exact (the default: byte-identical) or near (also the same picture re-encoded, mirrored or cropped a few pixels off; see `fergan data duplicates`).")]
    public FlagValue<string>? ExcludeTrainDuplicates { get; init; }

    /// <summary>What --exclude-train-duplicates asks for (Keep when absent; <see cref="Validate"/> refuses other kinds).</summary>
    public TrainingDuplicates DuplicatesToExclude => ExcludeTrainDuplicates is not { IsSet: true } flag ? TrainingDuplicates.Keep
        : string.Equals(flag.Value, "near", StringComparison.OrdinalIgnoreCase) ? TrainingDuplicates.Near
        : TrainingDuplicates.Exact;

    [CommandOption("--tta")]
    [Description("Ten-crop test-time augmentation: average ten shifted and mirrored views of each face.")]
    public bool Tta { get; init; }

    [CommandOption("--corruptions [NAMES]")]
    [Description("Also score the same faces under corruptions at severities 1-5: all of them, or those named (comma-separated): low-light, contrast, noise, blur, occlusion-eyes, occlusion-mouth, occlusion-patches, jpeg, low-resolution.")]
    public FlagValue<string>? Corruptions { get; init; }

    private string? CorruptionProblem()
    {
        try
        {
            _ = CorruptionsToScore;
            return null;
        }
        catch (FerganException e)
        {
            return e.Message;
        }
    }

    /// <summary>The corruptions --corruptions asks for (null when absent; all when given without names).</summary>
    public IReadOnlyList<Corruption>? CorruptionsToScore => Corruptions is not { IsSet: true } flag ? null
        : string.IsNullOrWhiteSpace(flag.Value) ? FaceCorruptions.All
        : FaceCorruptions.Parse(flag.Value);

    [CommandOption("--report <DIR>")]
    [Description("Write report.md, a self-contained report.html, confusion.png and misclassified.png (a sample of wrong faces) here.")]
    public string? Report { get; init; }

    [CommandOption("--probabilities <CSV>")]
    [Description("Write each scored face's index, source row (to join evaluations of the same faces under other labels, e.g. --ferplus), true emotion and seven probabilities to this CSV (to compare ensembles by averaging files, as bench/ensemble-cpu.sh does; with --split Training, the teacher file of `train --teacher-probabilities`).")]
    public string? Probabilities { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace --report if it holds files, and --probabilities if it exists.")]
    public bool Overwrite { get; init; }

    [CommandOption("--record")]
    [Description("Also store the headline scores in the model's classifier.json (evaluations.<split>[[-dedup|-near-dedup]][[-tta]]), with this command.")]
    public bool Record { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object: accuracy, macro_f1, per_class.<name>.{precision,recall,f1,roc_auc,support}, confusion matrix, intervals.")]
    public bool Json { get; init; }

    [CommandOption("--runtime <RUNTIME>")]
    [Description("torch (the model's TorchSharp weights) or onnx (its classifier.onnx on ONNX Runtime: the model predict and serve use, several times faster on a CPU).")]
    [DefaultValue("torch")]
    public string Runtime { get; init; } = "torch";

    public override ValidationResult Validate() =>
        ExcludeTrainDuplicates is { IsSet: true, Value: { Length: > 0 } kind } && kind.ToLowerInvariant() is not ("exact" or "near")
            ? ValidationResult.Error($"--exclude-train-duplicates: '{kind}' is not exact or near.")
        : !DataSplits.TryParseUsage(EvaluateSplit, out _) ? ValidationResult.Error($"--split: '{EvaluateSplit}' is not Training, PublicTest or PrivateTest.")
        : Runtime is not ("torch" or "onnx") ? ValidationResult.Error($"--runtime: '{Runtime}' is not torch or onnx.")
        : CorruptionProblem() is { } problem ? ValidationResult.Error($"--corruptions: {problem}")
        : Runtime == "onnx" && Record ? ValidationResult.Error("--record stores TorchSharp scores in the card; evaluate with --runtime torch to record.")
        : Model is { Length: > 1 } && Record ? ValidationResult.Error("--record stores a model's scores in its card; an ensemble of several --model folders has no card.")
        // Without --model the bundled classifier is the copy beside the program (the build output), so its card would
        // take the scores and lose them at the next build: name the folder that should keep them.
        : Model is null or { Length: 0 } && Record ? ValidationResult.Error("--record stores the scores in the model's card: name the model folder with --model (the bundled classifier is models/classifier in the repository).")
        : base.Validate();
}

/// <summary>`fergan evaluate`: scores of a classifier on one split, with 95% bootstrap intervals.</summary>
public sealed class EvaluateCommand(CliConsoles consoles) : Command<EvaluateSettings>
{
    public override int Execute(CommandContext context, EvaluateSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Report is { } reportFolder)
        {
            OutputPaths.EnsureWritable(reportFolder, settings.Overwrite, "--report");
        }
        if (settings.Probabilities is { } probabilitiesFile)
        {
            OutputPaths.EnsureWritable(probabilitiesFile, settings.Overwrite, "--probabilities");
        }
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        DataSplits.TryParseUsage(settings.EvaluateSplit, out var split);
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        using var classifier = LoadPredictor(settings);
        var report = ClassifierEvaluator.Evaluate(classifier, faces, new EvaluationOptions
        {
            Split = split,
            ExcludeTrainingDuplicates = settings.DuplicatesToExclude,
            TestTimeAugmentation = settings.Tta,
        });
        if (settings.CorruptionsToScore is { } corruptions)
        {
            var options = new EvaluationOptions { Split = split, ExcludeTrainingDuplicates = settings.DuplicatesToExclude, TestTimeAugmentation = settings.Tta };
            report = report with
            {
                Robustness = RobustnessEvaluator.Evaluate(classifier, faces, options, corruptions,
                    new SyncProgress<CorruptionScore>(c => consoles.Error.WriteLine($"{c.Corruption} {c.Severity}: accuracy {c.Accuracy:0.000}, macro-F1 {c.MacroF1:0.000}")), cancellationToken),
            };
        }
        var command = "fergan " + string.Join(' ', context.Arguments);
        if (settings.Report is { } folder)
        {
            EvaluationReportWriter.Write(report, faces, folder, command);
        }
        if (settings.Probabilities is { } csv)
        {
            EvaluatedFacesCsv.Write(report.Details!, csv);
        }
        if (settings.Record && classifier is EmotionClassifier torchClassifier)
        {
            Record(torchClassifier, report, command);
        }
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, report);
            return 0;
        }
        Render(report);
        return 0;
    }

    private static IEmotionPredictor LoadPredictor(EvaluateSettings settings)
    {
        var folders = settings.Model is { Length: > 0 } given ? given : [EmotionClassifier.BundledFolder];
        if (folders.Length == 1)
        {
            return LoadPredictor(settings, folders[0]);
        }
        var members = new List<IEmotionPredictor>();
        try
        {
            foreach (var folder in folders)
            {
                members.Add(LoadPredictor(settings, folder));
            }
        }
        catch
        {
            members.ForEach(m => m.Dispose());
            throw;
        }
        return new EnsemblePredictor(members);
    }

    private static IEmotionPredictor LoadPredictor(EvaluateSettings settings, string folder)
    {
        if (settings.Runtime == "torch")
        {
            return EmotionClassifier.Load(folder, settings.Device);
        }
#if FERGAN_TRAINING_ONLY
        throw new FerganException("this is a training-only build (no ONNX Runtime); evaluate with --runtime torch.");
#else
        return new OnnxPredictor(folder);
#endif
    }

    /// <summary>Adds this evaluation's headline scores to the model card (the card is rewritten atomically).</summary>
    private static void Record(EmotionClassifier classifier, EvaluationReport r, string command)
    {
        var key = r.Split + r.DuplicatesLeftOut switch
        {
            TrainingDuplicates.Exact => "-dedup",
            TrainingDuplicates.Near => "-near-dedup",
            _ => "",
        } + (r.Tta ? "-tta" : "");
        var summary = new
        {
            r.Data, r.Faces, r.ExcludedDuplicates, r.DuplicatesLeftOut, r.LeftOutAccuracy, r.Tta, r.Accuracy, AccuracyCi = r.ConfidenceIntervals.Accuracy, r.MacroF1,
            MacroF1Ci = r.ConfidenceIntervals.MacroF1, r.BalancedAccuracy, r.MacroRocAuc, Ece = r.Calibration?.ExpectedCalibrationError,
            F1 = r.PerClass.ToDictionary(p => p.Key, p => p.Value.F1), Command = command, Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd"),
        };
        var element = System.Text.Json.JsonSerializer.SerializeToElement(summary, Fergan.Torch.Training.RunDirectory.Json);
        var evaluations = new Dictionary<string, System.Text.Json.JsonElement>(classifier.Card.Evaluations ?? new Dictionary<string, System.Text.Json.JsonElement>())
        {
            [key] = element,
        };
        (classifier.Card with { Evaluations = evaluations }).Write(classifier.Folder);
    }

    private void Render(EvaluationReport r)
    {
        var ci = r.ConfidenceIntervals;
        consoles.Out.MarkupLine($"[bold]{Markup.Escape(r.Model)}[/] on {r.Split} of {Markup.Escape(r.Data)}: {r.Faces:N0} faces" +
                                (r.DuplicatesLeftOut != TrainingDuplicates.Keep ? $" ({r.ExcludedDuplicates} {(r.DuplicatesLeftOut == TrainingDuplicates.Near ? "exact or near " : "")}Training duplicates left out" +
                                    (r.LeftOutAccuracy is { } leftOut ? $"; on those, accuracy {leftOut:P1})" : ")") : "") + (r.Tta ? ", ten-crop TTA" : ""));
        consoles.Out.MarkupLine($"accuracy [bold]{r.Accuracy:P2}[/] (95% CI {ci.Accuracy.Low:P1}-{ci.Accuracy.High:P1}); balanced accuracy {r.BalancedAccuracy:P2}; " +
                                $"macro-F1 [bold]{r.MacroF1:0.000}[/] ({ci.MacroF1.Low:0.000}-{ci.MacroF1.High:0.000}); macro ROC-AUC {r.MacroRocAuc:0.000}; {r.ImagesPerSecond:N0} faces/s");
        var table = new Table().AddColumns("emotion", "precision", "recall", "F1 [[95% CI]]", "ROC-AUC", "support");
        foreach (var (name, m) in r.PerClass)
        {
            var f1 = ci.ClassF1[name];
            table.AddRow(name, $"{m.Precision:0.000}", $"{m.Recall:0.000}", Markup.Escape($"{m.F1:0.000} [{f1.Low:0.000}, {f1.High:0.000}]"), $"{m.RocAuc:0.000}", $"{m.Support}");
        }
        consoles.Out.Write(table);
        if (r.Calibration is { } calibration)
        {
            consoles.Out.MarkupLine($"calibration: {Markup.Escape(calibration.Summary())}");
        }
        var confusion = new Table().AddColumn("truth \\ predicted");
        foreach (var name in Emotions.Names)
        {
            confusion.AddColumn(name[..Math.Min(4, name.Length)]);
        }
        for (var c = 0; c < r.ConfusionMatrix.Length; c++)
        {
            confusion.AddRow([Emotions.Names[c], .. r.ConfusionMatrix[c].Select(v => v.ToString())]);
        }
        consoles.Out.Write(confusion);
        if (r.Robustness is { } robustness)
        {
            var corruptions = new Table().AddColumns("corruption", "severity 1", "2", "3", "4", "5");
            foreach (var group in robustness.Scores.GroupBy(x => x.Corruption))
            {
                corruptions.AddRow([group.Key, .. group.OrderBy(x => x.Severity).Select(x => $"{x.Accuracy:0.000} ({x.MacroF1:0.000})")]);
            }
            consoles.Out.MarkupLine($"accuracy (macro-F1) under corruptions; clean {robustness.CleanAccuracy:0.000} ({robustness.CleanMacroF1:0.000}):");
            consoles.Out.Write(corruptions);
        }
    }
}
