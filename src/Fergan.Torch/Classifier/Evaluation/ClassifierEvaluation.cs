using System.Diagnostics;
using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Evaluation;

namespace Fergan.Torch.Classifier.Evaluation;

/// <summary>What to score and how.</summary>
public sealed record EvaluationOptions
{
    public DataSplit Split { get; init; } = DataSplit.PrivateTest;

    /// <summary>
    /// Leave out faces that also occur in the Training split: byte-identical ones (FER2013 has 288 in PrivateTest), or
    /// also the same pictures re-encoded, mirrored or cropped a little (<see cref="TrainingDuplicates.Near"/>).
    /// </summary>
    public TrainingDuplicates ExcludeTrainingDuplicates { get; init; }

    /// <summary>What counts as a near duplicate under <see cref="TrainingDuplicates.Near"/>.</summary>
    public NearDuplicateOptions NearDuplicates { get; init; } = new();

    /// <summary>Average the probabilities of ten shifted and mirrored views of each face.</summary>
    public bool TestTimeAugmentation { get; init; }

    public int BootstrapResamples { get; init; } = 1000;
    public int BootstrapSeed { get; init; } = 2013;
}

/// <summary>The scores of one model on one split, with 95% bootstrap intervals: `fergan evaluate --json` prints this.</summary>
public sealed record EvaluationReport(
    string Model,
    string Data,
    string Split,
    int Faces,
    int ExcludedDuplicates,
    TrainingDuplicates DuplicatesLeftOut,
    bool Tta,
    double Accuracy,
    double BalancedAccuracy,
    double MacroF1,
    double MacroRocAuc,
    IReadOnlyDictionary<string, ClassMetrics> PerClass,
    int[][] ConfusionMatrix,
    BootstrapIntervals.Result ConfidenceIntervals,
    double ImagesPerSecond)
{
    /// <summary>Scores under corruptions (`--corruptions`), when asked for.</summary>
    public RobustnessReport? Robustness { get; init; }

    /// <summary>How far the probabilities are from the hit rate (ECE over 15 confidence bins, MCE, log loss).</summary>
    public Calibration? Calibration { get; init; }

    /// <summary>Accuracy on the faces left out as Training duplicates (null when none were): what memory earns.</summary>
    public double? LeftOutAccuracy { get; init; }

    /// <summary>Labels and probabilities behind the scores (for plots and the misclassified-faces sample; not in JSON).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public EvaluatedFaces? Details { get; init; }
}

/// <summary>
/// Which faces were scored (their indices in the loaded set, and their rows in the source, which differ where loading
/// dropped rows: FER+ labels, --skip-bad), their true labels and predicted probabilities.
/// </summary>
public sealed record EvaluatedFaces(int[] Indices, int[] SourceRows, int[] Truth, float[][] Probabilities);

/// <summary>
/// A classifier's probabilities for every face of one split, with the speed they were made at: predicted once, they
/// can be scored several ways (as-is, without exact or without near Training duplicates) without predicting again.
/// </summary>
public sealed record SplitPredictions(string Model, DataSplit Split, bool Tta, int[] Indices, float[][] Probabilities, double FacesPerSecond);

/// <summary>Scores a classifier on a split of a dataset.</summary>
public static class ClassifierEvaluator
{
    public static EvaluationReport Evaluate(IEmotionPredictor classifier, FaceSet faces, EvaluationOptions options) =>
        Score(Predict(classifier, faces, options.Split, options.TestTimeAugmentation), faces, options);

    /// <summary>
    /// Every face of the split, the ones a score may leave out as Training duplicates too: how well the model reads the
    /// faces it may remember, against the rest, is the measure of what a score owes to memory.
    /// </summary>
    public static SplitPredictions Predict(IEmotionPredictor classifier, FaceSet faces, DataSplit split, bool tta)
    {
        var indices = faces.IndicesOf(split);
        if (indices.Length == 0)
        {
            throw new FerganException($"the dataset has no {split} faces to evaluate on.");
        }
        var watch = Stopwatch.StartNew();
        var probabilities = classifier.Predict(faces, indices, tta);
        return new SplitPredictions(classifier.Folder, split, tta, indices, probabilities, indices.Length / Math.Max(1e-9, watch.Elapsed.TotalSeconds));
    }

    /// <summary>Scores <paramref name="predictions"/> as <paramref name="options"/> ask (its split and TTA must be theirs).</summary>
    public static EvaluationReport Score(SplitPredictions predictions, FaceSet faces, EvaluationOptions options)
    {
        if (predictions.Split != options.Split || predictions.Tta != options.TestTimeAugmentation)
        {
            throw new ArgumentException($"the predictions are of {predictions.Split}{(predictions.Tta ? " with TTA" : "")}, the options ask for {options.Split}{(options.TestTimeAugmentation ? " with TTA" : "")}.");
        }
        var indices = predictions.Indices;
        var all = predictions.Probabilities;
        var kept = TrainingOverlap.Without(faces, indices, options.ExcludeTrainingDuplicates, options.NearDuplicates);
        var keptSet = kept.ToHashSet();
        var leftOut = Enumerable.Range(0, indices.Length).Where(k => !keptSet.Contains(indices[k])).ToArray();
        double? leftOutAccuracy = leftOut.Length == 0 ? null
            : leftOut.Count(k => ClassificationMetrics.ArgMax(all[k]) == (int)faces.Label(indices[k])) / (double)leftOut.Length;
        var probabilities = Enumerable.Range(0, indices.Length).Where(k => keptSet.Contains(indices[k])).Select(k => all[k]).ToArray();
        var excluded = leftOut.Length;
        var truth = kept.Select(i => (int)faces.Label(i)).ToArray();
        var metrics = ClassificationMetrics.Compute(truth, probabilities, Emotions.Names);
        var intervals = BootstrapIntervals.Compute(truth, probabilities, Emotions.Names, options.BootstrapResamples, options.BootstrapSeed);
        return new EvaluationReport(predictions.Model, faces.Provenance.Source, options.Split.ToString(), kept.Length, excluded,
            options.ExcludeTrainingDuplicates, options.TestTimeAugmentation, metrics.Accuracy, metrics.BalancedAccuracy, metrics.MacroF1, metrics.MacroRocAuc,
            metrics.PerClass, metrics.ConfusionMatrix, intervals, predictions.FacesPerSecond)
        {
            LeftOutAccuracy = leftOutAccuracy,
            Calibration = Calibration.Compute(truth, probabilities),
            Details = new EvaluatedFaces(kept, kept.Select(faces.SourceRow).ToArray(), truth, probabilities),
        };
    }
}
