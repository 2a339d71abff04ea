using System.Text.Json;
using System.Text.Json.Serialization;
using Fergan.Data;
using Fergan.Data.Duplicates;
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
                result = TrainAndScoreRetryingOnce(arm, seed, name, folder, options, resume, k, plan.Count, progress, cancellationToken);
            }
            catch (Exception e) when (e is FerganException or System.Runtime.InteropServices.ExternalException)
            {
                // FerganException: this run's folder or data was refused; ExternalException: libtorch failed twice
                // (a CUDA error, say). Either way the other runs do not depend on it.
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

    /// <summary>
    /// <see cref="TrainAndScore"/>, once more after a libtorch failure, from the run's last checkpoint: a rare crash
    /// that does not repeat (README, Limits: an implicit Scalar freed during a native call; it stopped one run of a
    /// grid's dry run on 2026-11-28) should not cost an unattended grid a run. A lasting failure (a CUDA error) throws again.
    /// </summary>
    private ExperimentRunResult? TrainAndScoreRetryingOnce(ExperimentArm arm, int seed, string name, string folder, ClassifierOptions options,
        bool resume, int k, int runs, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return TrainAndScore(arm, seed, name, folder, options, resume, k, runs, progress, cancellationToken);
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            var directory = new ClassifierRunDirectory(folder);
            var kept = directory.Checkpoints();
            var from = kept.Count > 0 ? $" from epoch {kept[^1].Step}" : "";
            progress?.Report(new ExperimentProgress(k + 1, runs, name, $"libtorch failed ({e.Message.Split('\n')[0].Trim()}); retrying once{from}"));
            return TrainAndScore(arm, seed, name, folder, options, kept.Count > 0 || File.Exists(directory.LogFile), k, runs, progress, cancellationToken);
        }
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
        // Predicted once, scored three ways (on 2 CPU cores each prediction of PrivateTest takes about 18 s).
        var predictions = ClassifierEvaluator.Predict(classifier, data, spec.EvaluateOn, spec.Tta);
        return new ExperimentRunResult(name, arm.Balance, seed, trained.Best,
            ClassifierEvaluator.Score(predictions, data, evaluation),
            ClassifierEvaluator.Score(predictions, data, evaluation with { ExcludeTrainingDuplicates = TrainingDuplicates.Exact }),
            trained.TrainingSeconds, trained.ImagesPerSecond, arm.Label,
            ClassifierEvaluator.Score(predictions, data, evaluation with { ExcludeTrainingDuplicates = TrainingDuplicates.Near }));
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
