using System.ComponentModel;
using System.Globalization;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Gan.Evaluation;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Gan.Training;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Gan;

public sealed class GanEvaluateSettings : TorchDatasetSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Generator folder or GAN run folder (generator.json + generator.bin). Default: the bundled generator.")]
    public string? Model { get; init; }

    [CommandOption("--data <DATASET>")]
    [Description("The real faces to compare with (its Training split; CAS scores on its PublicTest). " + DatasetSettings.DatasetHelp)]
    public string Data { get; init; } = Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;

    [CommandOption("--reference <DIR>")]
    [Description("Reference classifier whose features and predictions the metrics use. Default: the bundled reference network (models/reference), so numbers compare across runs.")]
    public string? Reference { get; init; }

    [CommandOption("--samples <N>")]
    [Description("Generated faces per emotion.")]
    [DefaultValue(1000)]
    public int Samples { get; init; } = 1000;

    [CommandOption("--real-faces <N>")]
    [Description("Compare with a seeded random subset of N Training faces instead of all (faster on a CPU; numbers are then only comparable at the same N).")]
    public int? RealFaces { get; init; }

    [CommandOption("--checkpoints")]
    [Description("Also score every checkpoint's generator of a run folder (FID/KID per step, per class too).")]
    public bool Checkpoints { get; init; }

    [CommandOption("--cas")]
    [Description("Also compute the Classification Accuracy Score: train a classifier on generated faces only, score it on real PublicTest, beside the same recipe on real faces.")]
    public bool Cas { get; init; }

    [CommandOption("--cas-checkpoints")]
    [Description("With --checkpoints and --cas: the CAS of every checkpoint's generator too (one more classifier training each; the real-face comparison is trained once, for the last).")]
    public bool CasCheckpoints { get; init; }

    [CommandOption("--cas-profile <PROFILE>")]
    [Description("Classifier recipe for CAS: quick or full.")]
    [DefaultValue(ClassifierProfile.Quick)]
    public ClassifierProfile CasProfile { get; init; } = ClassifierProfile.Quick;

    [CommandOption("--cas-epochs <N>")]
    [Description("Epochs of the CAS classifiers; overrides the profile.")]
    public int? CasEpochs { get; init; }

    [CommandOption("--cas-faces <N>")]
    [Description("Generated faces per emotion for CAS. Default: as many as the real Training split has of each emotion (its size and class mix, like the real-data comparison).")]
    public int? CasFaces { get; init; }

    [CommandOption("--grid <PNG>")]
    [Description("Write generated faces beside their nearest Training faces (reference-feature space) to this PNG.")]
    public string? Grid { get; init; }

    [CommandOption("--overwrite")]
    [Description("Overwrite --grid if it exists.")]
    public bool Overwrite { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the generated faces and subsets.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("--json")]
    [Description("Print one JSON object: fid, kid, inception_score, label_fidelity, precision, recall, per_class, copies, classification_accuracy_score, checkpoints.")]
    public bool Json { get; init; }

    [CommandOption("--record")]
    [Description("Also store the scores in the generator's card (metrics in generator.json): the web app's GAN page shows them, and train --balance gan and data synthesize check the label fidelity. Needs --model.")]
    public bool Record { get; init; }

    public override ValidationResult Validate() =>
        Samples < 10 ? ValidationResult.Error("--samples must be at least 10.")
        : RealFaces is < 10 ? ValidationResult.Error("--real-faces must be at least 10.")
        : CasFaces is < 1 ? ValidationResult.Error("--cas-faces must be at least 1.")
        : CasCheckpoints && !(Checkpoints && Cas) ? ValidationResult.Error("--cas-checkpoints needs --checkpoints and --cas.")
        // Without --model the bundled generator is the copy beside the program (the build output), where recorded scores
        // would be lost at the next build.
        : Record && Model is null ? ValidationResult.Error("--record stores the scores in the generator's card: name the generator folder with --model (the bundled one is models/gan in the repository).")
        : base.Validate();
}

/// <summary>A checkpoint's FID and KID, overall and per emotion, and its CAS where --cas-checkpoints asked for it.</summary>
public sealed record CheckpointScores(int Step, double Fid, double Kid, double LabelFidelity, IReadOnlyDictionary<string, double> PerClassFid)
{
    public CasReport? Cas { get; init; }
}

/// <summary>`fergan gan evaluate`: FID/KID/IS/label fidelity/precision/recall/CAS of a generator against real Training faces.</summary>
public sealed class GanEvaluateCommand(CliConsoles consoles) : Command<GanEvaluateSettings>
{
    public override int Execute(CommandContext context, GanEvaluateSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Grid is { } grid)
        {
            OutputPaths.EnsureWritable(grid, settings.Overwrite, "--grid");
        }
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        var referenceFolder = settings.Reference ?? EmotionClassifier.ReferenceFolder;
        if (settings.Reference is null && !Directory.Exists(referenceFolder))
        {
            throw new FerganException("this build has no bundled reference network (models/reference); pass a trained classifier with --reference.");
        }
        using var reference = EmotionClassifier.Load(referenceFolder, settings.Device);
        var modelFolder = settings.Model ?? GanGenerator.BundledFolder;
        var options = new GanEvaluationOptions { SamplesPerClass = settings.Samples, OverallSamples = settings.Samples * 7, Seed = settings.Seed, MaxRealFaces = settings.RealFaces, NearestNeighbourGrid = settings.Grid };
        using var evaluator = new GanEvaluator(reference, faces, options); // one for all checkpoints: the Training faces' features once

        var recipe = ClassifierOptions.For(settings.CasProfile);
        recipe = recipe with { Epochs = settings.CasEpochs ?? recipe.Epochs, Device = settings.Device, Seed = settings.Seed };
        // One recipe and seed for every CAS here, so checkpoints differ only in their generator.
        CasReport Cas(GanGenerator generator, bool compareWithReal)
        {
            var work = Directory.CreateTempSubdirectory("fergan-cas-").FullName;
            try
            {
                return ClassificationAccuracyScore.Run(generator, faces, new CasOptions { Classifier = recipe, SamplesPerClass = settings.CasFaces, CompareWithReal = compareWithReal }, work,
                    new SyncProgress<ClassifierEpoch>(e => consoles.Error.WriteLine($"CAS epoch {e.Epoch}/{e.Epochs}: validation accuracy {e.ValidationAccuracy:0.000}")), cancellationToken);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }

        using var model = GanGenerator.Load(modelFolder, settings.Device);
        var checkpoints = new List<CheckpointScores>();
        if (settings.Checkpoints)
        {
            var run = new GanRunDirectory(modelFolder);
            var files = Directory.Exists(run.GeneratorsFolder) ? Directory.GetFiles(run.GeneratorsFolder, "step-*.bin").Order().ToList() : [];
            if (files.Count == 0)
            {
                throw new FerganException($"--checkpoints: {run.GeneratorsFolder} holds no per-checkpoint generators (runs before this version kept only the last).");
            }
            foreach (var file in files)
            {
                var step = int.Parse(Path.GetFileNameWithoutExtension(file)["step-".Length..], CultureInfo.InvariantCulture);
                using var generator = GanGenerator.Load(modelFolder, settings.Device, file);
                // Checkpoints get the trend's numbers only: no grid, no copy search, at most 5,000 overall faces.
                var scores = evaluator.Evaluate(generator, step, options with { NearestNeighbourGrid = null, OverallSamples = Math.Min(options.OverallSamples, 5000), CopySamplesPerClass = 0 });
                // The last checkpoint is the final generator: its CAS comes with the report's, below, not twice.
                var cas = settings.CasCheckpoints && step != model.Card.Step ? Cas(generator, compareWithReal: false) : null;
                checkpoints.Add(new CheckpointScores(step, scores.Fid, scores.Kid.Mean, scores.LabelFidelity, scores.PerClass.ToDictionary(p => p.Key, p => p.Value.Fid)) { Cas = cas });
                consoles.Error.WriteLine($"step {step}: FID {scores.Fid:0.00}, KID {scores.Kid.Mean:0.0000}, label fidelity {scores.LabelFidelity:0.000}" +
                                         (cas is null ? "" : $", CAS {cas.Accuracy:0.000}"));
            }
        }

        var report = evaluator.Evaluate(model);
        if (settings.Cas)
        {
            report = report with { ClassificationAccuracyScore = Cas(model, compareWithReal: true) };
            if (settings.CasCheckpoints)
            {
                checkpoints = checkpoints.Select(c => c.Step == model.Card.Step ? c with { Cas = report.ClassificationAccuracyScore } : c).ToList();
            }
        }
        var trend = checkpoints.Count > 1 ? FidTrend.Of(checkpoints.Select(c => (c.Step, c.Fid, c.PerClassFid)).ToList()) : null;
        if (settings.Record)
        {
            model.Card.WithMetrics(report).Write(modelFolder);
            consoles.Error.WriteLine($"recorded the scores in {Path.Combine(modelFolder, GeneratorCard.CardFile)}.");
        }
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new { report, checkpoints, trend });
            return 0;
        }
        Render(report, checkpoints, trend);
        return 0;
    }

    private void Render(GanEvaluationReport r, IReadOnlyList<CheckpointScores> checkpoints, FidTrend? trend)
    {
        consoles.Out.MarkupLine($"[bold]{Markup.Escape(r.Model)}[/] (step {r.Step}) against {Markup.Escape(r.RealFaces)}, reference {Markup.Escape(r.Reference)}");
        consoles.Out.MarkupLine($"FID [bold]{r.Fid:0.00}[/]  KID {r.Kid.Mean:0.0000} ± {r.Kid.Std:0.0000}  IS {r.InceptionScore.Mean:0.00} ± {r.InceptionScore.Std:0.00}  " +
                                $"label fidelity [bold]{r.LabelFidelity:0.000}[/]  precision {r.Precision:0.000}  recall {r.Recall:0.000}");
        if (r.Copies is { } copies)
        {
            consoles.Out.MarkupLine($"near copies of Training faces: {copies.NearCopies} of {copies.Faces} generated faces ({copies.Rate:P1}; pixels correlating >= {copies.MinCorrelation:0.###}, " +
                                    $"highest {copies.HighestCorrelation:0.000}; 17-18 % of FER2013's real test faces are)");
        }
        var table = new Table().AddColumns("emotion", "FID", "KID", "label fidelity", "real faces");
        var fewFaces = r.PerClass.Where(c => c.Value.RealFaces < r.FeatureDimension || r.SamplesPerClass < r.FeatureDimension).Select(c => c.Key).ToHashSet();
        foreach (var (name, c) in r.PerClass)
        {
            table.AddRow(name, $"{c.Fid:0.00}" + (fewFaces.Contains(name) ? "*" : ""), $"{c.Kid.Mean:0.0000}", $"{c.LabelFidelity:0.000}", $"{c.RealFaces}");
        }
        consoles.Out.Write(table);
        if (fewFaces.Count > 0)
        {
            consoles.Out.MarkupLine($"* fewer real or generated faces than the reference's {r.FeatureDimension:N0} features: FID is biased upward there " +
                                    "(compare it only at equal counts); KID is unbiased.");
        }
        if (r.ClassificationAccuracyScore is { } cas)
        {
            consoles.Out.MarkupLine($"CAS ({cas.Architecture}, {cas.Epochs} epochs, {cas.SyntheticFaces:N0} generated faces, per emotion {Markup.Escape(cas.FacesPerClass)}): PublicTest accuracy [bold]{cas.Accuracy:P2}[/], macro-F1 {cas.MacroF1:0.000}" +
                                    (cas.RealDataAccuracy is { } real ? $"; same recipe on real faces: {real:P2}" : ""));
            if (cas.F1PerClass.Count > 0)
            {
                // Per emotion: which ones the generated faces teach, beside what real faces teach the same recipe.
                string Of(string emotion) => $"{cas.F1PerClass[emotion]:0.00}" +
                    (cas.RealDataF1PerClass.TryGetValue(emotion, out var realF1) ? $" ({realF1:0.00})" : "");
                consoles.Out.MarkupLine("CAS F1 per emotion (the real faces' in parentheses): " + string.Join(", ", cas.F1PerClass.Keys.Select(e => $"{e} {Of(e)}")));
            }
        }
        if (checkpoints.Count > 0)
        {
            // Two tables, so each fits 80 columns whole (one table of eleven columns wrapped "0.0736" over two lines).
            var withCas = checkpoints.Any(c => c.Cas is not null);
            var overall = NumberTable(["step", "FID", "KID", "label fidelity", .. withCas ? ["CAS"] : Array.Empty<string>()]).Title("checkpoints");
            var perEmotion = NumberTable(["step", .. r.PerClass.Keys]).Title("FID per emotion");
            foreach (var c in checkpoints)
            {
                overall.AddRow([$"{c.Step}", $"{c.Fid:0.00}", $"{c.Kid:0.0000}", $"{c.LabelFidelity:0.000}", .. withCas ? [c.Cas is { } score ? $"{score.Accuracy:0.000}" : ""] : Array.Empty<string>()]);
                perEmotion.AddRow([$"{c.Step}", .. c.PerClassFid.Values.Select(v => $"{v:0.0}")]);
            }
            consoles.Out.Write(overall);
            consoles.Out.Write(perEmotion);
        }
        if (trend is not null)
        {
            static string Rise(FidRise rise) => $"at step {rise.Step} ({rise.From:0.00} -> {rise.To:0.00})";
            var rising = trend.PerClass.Where(p => p.Value is not null).Select(p => $"{p.Key} {Rise(p.Value!)}").ToList();
            consoles.Out.MarkupLine("FID falls at every checkpoint: overall " + (trend.Overall is null ? "[green]yes[/]" : $"[yellow]no[/], first rise {Rise(trend.Overall)}") +
                                    "; per emotion " + (rising.Count == 0 ? "[green]yes[/]" : $"[yellow]no[/]: {Markup.Escape(string.Join(", ", rising))}"));
        }
    }

    private static Table NumberTable(IEnumerable<string> headers)
    {
        var table = new Table();
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }
        return table;
    }
}
