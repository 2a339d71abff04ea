using System.Text.Json;
using System.Text.Json.Serialization;
using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Evaluation;
using Fergan.Data.Imaging;
using Fergan.Data.Progress;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Training;

namespace Fergan.Torch.Experiments;

/// <summary>
/// The outcome of one run of a grid: its selection on PublicTest and its test scores, as-is, without exact Training
/// duplicates, and without exact or near ones.
/// </summary>
/// <remarks>
/// <see cref="Arm"/> is null in results written before arms had names: the arm is then the strategy.
/// <see cref="TestWithoutNearDuplicates"/> is null in results written before near duplicates were found.
/// </remarks>
public sealed record ExperimentRunResult(string Name, BalanceStrategy Balance, int Seed, SelectionScores? Selection,
    EvaluationReport Test, EvaluationReport TestWithoutDuplicates, double TrainingSeconds, double ImagesPerSecond, string? Arm = null,
    EvaluationReport? TestWithoutNearDuplicates = null)
{
    /// <summary>The arm this run belongs to (its name in the spec, or its strategy).</summary>
    [JsonIgnore]
    public string ArmLabel => Arm ?? Balance.ToString().ToLowerInvariant();
}

/// <summary>A run of a grid that failed (its checkpoint could not be loaded, its data or recipe was refused, libtorch failed).</summary>
public sealed record ExperimentRunFailure(string Name, string Reason);

/// <summary>What a grid produced: the finished runs (also those done earlier) and the ones that failed this time.</summary>
public sealed record ExperimentOutcome(IReadOnlyList<ExperimentRunResult> Results, IReadOnlyList<ExperimentRunFailure> Failures);

/// <summary>Progress of a grid: which run starts, or finished (or was already done).</summary>
public sealed record ExperimentProgress(int Run, int Runs, string Name, string Status, ClassifierEpoch? Epoch = null);

/// <summary>
/// Runs every (strategy, seed) of an <see cref="ExperimentSpec"/> into its own folder, skipping finished runs and
/// resuming interrupted ones, so a killed grid continues where it stopped; then scores each selected model once on
/// the test split and summarises per strategy (<see cref="ExperimentSummary"/>). A run that fails is reported and the
/// grid goes on with the next: an unattended grid on a lent GPU should not lose its other runs to one bad folder (on
/// 2026-11-27 one unloadable checkpoint stopped a grid with a run still to train).
/// </summary>
public sealed class ExperimentRunner(ExperimentSpec spec, FaceSet data, string outputFolder, string device = "cpu")
{
    public const string ResultFile = "result.json";

    /// <summary>The fingerprints finished runs are checked against (computed once, when the first one is met).</summary>
    private readonly Lazy<RunData> _data = new(() => RunData.Of(data, DataSplit.Training, DataSplit.PublicTest));

    public ExperimentOutcome Run(IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // Seed by seed across strategies (none-1, gan-1, ..., none-2, gan-2, ...): a grid cut short by a time limit
        // still holds a comparable set of runs for every strategy.
        var plan = spec.Runs
            .SelectMany(arm => arm.Seeds.Select((seed, order) => (Arm: arm, Seed: seed, Order: order)))
            .OrderBy(r => r.Order)
            .Select(r => (r.Arm, r.Seed))
            .ToList();
        var results = new List<ExperimentRunResult>();
        var failures = new List<ExperimentRunFailure>();
        for (var k = 0; k < plan.Count && !cancellationToken.IsCancellationRequested; k++)
        {
            var (arm, seed) = plan[k];
            var name = $"{arm.Label}-seed{seed}";
            var folder = Path.Combine(outputFolder, "runs", name);
            var resultPath = Path.Combine(folder, ResultFile);
            var options = spec.OptionsFor(arm, seed, device);
            CheckSameRun(new ClassifierRunDirectory(folder), options, finished: File.Exists(resultPath));
            if (File.Exists(resultPath))
            {
                results.Add(JsonSerializer.Deserialize<ExperimentRunResult>(File.ReadAllText(resultPath), RunDirectory.Json)!);
                progress?.Report(new ExperimentProgress(k + 1, plan.Count, name, "done earlier"));
                continue;
            }
            var checkpoints = new ClassifierRunDirectory(folder).Checkpoints();
            var resume = checkpoints.Count > 0;
            progress?.Report(new ExperimentProgress(k + 1, plan.Count, name, resume ? $"resuming from epoch {checkpoints[^1].Step}" : "training"));
            ExperimentRunResult? result;
            try
            {
                result = TrainAndScore(arm, seed, name, folder, options, resume, k, plan.Count, progress, cancellationToken);
            }
            catch (Exception e) when (e is FerganException or System.Runtime.InteropServices.ExternalException)
            {
                // FerganException: this run's folder or data was refused; ExternalException: libtorch failed (a CUDA
                // error, say). Either way the other runs do not depend on it.
                var reason = e is FerganException ? e.Message : $"libtorch: {e.Message.Split('\n')[0]}";
                failures.Add(new ExperimentRunFailure(name, reason));
                progress?.Report(new ExperimentProgress(k + 1, plan.Count, name, $"failed: {reason}"));
                continue;
            }
            if (result is null)
            {
                break; // cancelled: the run resumes next time
            }
            RunDirectory.WriteAtomically(resultPath, temp => File.WriteAllText(temp, JsonSerializer.Serialize(result, RunDirectory.Json)));
            results.Add(result);
            progress?.Report(new ExperimentProgress(k + 1, plan.Count, name, $"{spec.EvaluateOn} accuracy {result.Test.Accuracy:0.0000}, macro-F1 {result.Test.MacroF1:0.0000}"));
        }
        return new ExperimentOutcome(results, failures);
    }

    /// <summary>Trains (or resumes) one run and scores its selected model three ways; null when cancelled first.</summary>
    private ExperimentRunResult? TrainAndScore(ExperimentArm arm, int seed, string name, string folder, ClassifierOptions options,
        bool resume, int k, int runs, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        ClassifierRunResult trained;
        using (var trainer = new ClassifierTrainer(options, data, folder))
        {
            trained = trainer.Train(resume, $"fergan experiment ({name})",
                new SyncProgress<ClassifierEpoch>(e => progress?.Report(new ExperimentProgress(k + 1, runs, name, "epoch", e))),
                null, cancellationToken);
        }
        if (!trained.Completed)
        {
            return null;
        }
        using var classifier = EmotionClassifier.Load(folder, device);
        var evaluation = new EvaluationOptions { Split = spec.EvaluateOn, TestTimeAugmentation = spec.Tta };
        return new ExperimentRunResult(name, arm.Balance, seed, trained.Best,
            ClassifierEvaluator.Evaluate(classifier, data, evaluation),
            ClassifierEvaluator.Evaluate(classifier, data, evaluation with { ExcludeTrainingDuplicates = TrainingDuplicates.Exact }),
            trained.TrainingSeconds, trained.ImagesPerSecond, arm.Label,
            ClassifierEvaluator.Evaluate(classifier, data, evaluation with { ExcludeTrainingDuplicates = TrainingDuplicates.Near }));
    }

    /// <summary>
    /// A run folder already there must be this spec's run on this data: a grid whose spec was edited between sittings
    /// (more epochs, another rate) would otherwise summarise old finished runs beside new ones as one recipe, and
    /// resume unfinished ones under the new settings. Only the device may differ.
    /// </summary>
    private void CheckSameRun(ClassifierRunDirectory run, ClassifierOptions options, bool finished)
    {
        var changes = run.ChangedOptions(options, "device");
        if (changes.Count > 0)
        {
            throw new FerganException($"{run.Root} was trained with other settings than the spec asks for now ({string.Join("; ", changes)}); " +
                                      "restore the spec, or move that run away to train it again.");
        }
        if (finished)
        {
            run.CheckSameData(_data.Value); // an unfinished run's trainer checks it on resume
        }
    }

}

/// <summary>
/// Per arm of the grid (a strategy, or a named variant of one): mean and 95% t-interval over seeds of the headline
/// scores (a single seed has no interval). <see cref="Balance"/> holds the arm's name, which is its strategy unless
/// the spec names it.
/// </summary>
public sealed record StrategySummary(string Balance, int Seeds, Estimate Accuracy, Estimate MacroF1, Estimate DisgustF1,
    Estimate AccuracyWithoutDuplicates, Estimate MacroF1WithoutDuplicates, Estimate DisgustF1WithoutDuplicates)
{
    /// <summary>Without exact or near Training duplicates; null where a run's result predates them.</summary>
    public Estimate? MacroF1WithoutNearDuplicates { get; init; }

    /// <inheritdoc cref="MacroF1WithoutNearDuplicates"/>
    public Estimate? DisgustF1WithoutNearDuplicates { get; init; }
}

public static class ExperimentSummary
{
    /// <summary>
    /// One row per arm, in <paramref name="armOrder"/> (the spec's order) where given, else in the order the results
    /// come: a grid whose first run failed, or was trained in an earlier sitting, still lists its arms as its spec does.
    /// </summary>
    public static IReadOnlyList<StrategySummary> Summarise(IReadOnlyList<ExperimentRunResult> results, IReadOnlyList<string>? armOrder = null)
    {
        var rank = (armOrder ?? []).Select((label, i) => (label, i)).ToDictionary(a => a.label, a => a.i);
        return results.GroupBy(r => r.ArmLabel)
            .OrderBy(g => rank.GetValueOrDefault(g.Key, int.MaxValue)) // stable: unlisted arms keep their order, last
            .Select(g =>
            {
                Estimate Of(Func<ExperimentRunResult, double> value) => BootstrapIntervals.MeanWithInterval(g.Select(value).ToList(), min: 0, max: 1);   // accuracies and F1s
                var disgust = Emotion.Disgust.Name();
                var near = g.All(r => r.TestWithoutNearDuplicates is not null);
                return new StrategySummary(g.Key, g.Count(),
                    Of(r => r.Test.Accuracy), Of(r => r.Test.MacroF1), Of(r => r.Test.PerClass[disgust].F1),
                    Of(r => r.TestWithoutDuplicates.Accuracy), Of(r => r.TestWithoutDuplicates.MacroF1), Of(r => r.TestWithoutDuplicates.PerClass[disgust].F1))
                {
                    MacroF1WithoutNearDuplicates = near ? Of(r => r.TestWithoutNearDuplicates!.MacroF1) : null,
                    DisgustF1WithoutNearDuplicates = near ? Of(r => r.TestWithoutNearDuplicates!.PerClass[disgust].F1) : null,
                };
            })
            .ToList();
    }

    /// <summary>
    /// Bar chart of macro-F1 and disgust F1 per strategy (means over seeds) with 95% interval whiskers where there is
    /// more than one seed.
    /// </summary>
    public static byte[] Plot(IReadOnlyList<StrategySummary> rows, string split)
    {
        var plot = PlotFactory.Create();
        var palette = new ScottPlot.Palettes.Category10();
        for (var r = 0; r < rows.Count; r++)
        {
            void Bar(ScottPlot.Bar bar, Estimate e)
            {
                bar.Value = e.Value;
                if (!double.IsNaN(e.Low))
                {
                    bar.Error = (e.High - e.Low) / 2;
                }
                plot.Add.Bar(bar);
            }
            Bar(new ScottPlot.Bar { Position = 3 * r, FillColor = palette.GetColor(0) }, rows[r].MacroF1);
            Bar(new ScottPlot.Bar { Position = 3 * r + 1, FillColor = palette.GetColor(1) }, rows[r].DisgustF1);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            rows.Select((row, r) => new ScottPlot.Tick(3 * r + 0.5, $"{row.Balance} ({row.Seeds})")).ToArray());
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "macro-F1", FillColor = palette.GetColor(0) });
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "disgust F1", FillColor = palette.GetColor(1) });
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Title($"{split}: mean over seeds, 95% CI");
        plot.Axes.Margins(bottom: 0);
        return plot.GetImageBytes(900, 500, ScottPlot.ImageFormat.Png);
    }

    /// <summary>The comparison as a Markdown table (mean [95% CI] over seeds).</summary>
    public static string Markdown(IReadOnlyList<StrategySummary> rows, string split)
    {
        static string F(Estimate? e) => e is null ? "" : double.IsNaN(e.Low) ? $"{e.Value:0.000}" : $"{e.Value:0.000} [{e.Low:0.000}, {e.High:0.000}]";
        var near = rows.Any(r => r.MacroF1WithoutNearDuplicates is not null);
        var lines = new List<string>
        {
            $"| strategy | seeds | {split} accuracy | macro-F1 | disgust F1 | accuracy w/o train dups | macro-F1 w/o dups | disgust F1 w/o dups |"
                + (near ? " macro-F1 w/o near dups | disgust F1 w/o near dups |" : ""),
            "| --- | --- | --- | --- | --- | --- | --- | --- |" + (near ? " --- | --- |" : ""),
        };
        lines.AddRange(rows.Select(r => $"| {r.Balance} | {r.Seeds} | {F(r.Accuracy)} | {F(r.MacroF1)} | {F(r.DisgustF1)} | {F(r.AccuracyWithoutDuplicates)} | {F(r.MacroF1WithoutDuplicates)} | {F(r.DisgustF1WithoutDuplicates)} |"
            + (near ? $" {F(r.MacroF1WithoutNearDuplicates)} | {F(r.DisgustF1WithoutNearDuplicates)} |" : "")));
        return string.Join('\n', lines) + "\n";
    }
}
