namespace Fergan.Torch.Classifier.Training;

/// <summary>One epoch of classifier training: a line of log.jsonl and a progress report.</summary>
public sealed record ClassifierEpoch(
    int Epoch,
    int Epochs,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double ValidationMacroF1,
    double LearningRate,
    double ImagesPerSecond,
    double Seconds,
    bool Best);

/// <summary>Within-epoch progress, for a progress bar.</summary>
public sealed record ClassifierStep(int Epoch, int Epochs, int Batch, int Batches);

/// <summary>Saved with each checkpoint: where training stands and what the best epoch so far was.</summary>
/// <remarks><paramref name="AveragedEpochs"/>: snapshots in the checkpoint's weight average (average.bin), 0 outside averaging.</remarks>
public sealed record ClassifierTrainingState(int Epoch, int Seed, int BestEpoch, double BestAccuracy, int EpochsWithoutImprovement, double TrainingSeconds, DateTimeOffset SavedAt,
    int AveragedEpochs = 0);

/// <summary>The weight average of a run's averaging epochs, scored on the validation split (weight-average.json).</summary>
public sealed record WeightAverageScores(int FirstEpoch, int LastEpoch, SelectionScores Scores, bool Selected);

/// <summary>What a training call achieved.</summary>
public sealed record ClassifierRunResult(
    int Epoch,
    int Epochs,
    bool Completed,
    bool StoppedEarly,
    int ResumedFrom,
    SelectionScores? Best,
    double ImagesPerSecond,
    double TrainingSeconds,
    string ModelFolder,
    WeightAverageScores? Average = null);
