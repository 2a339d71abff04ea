namespace Fergan.Torch.Gan.Training;

/// <summary>What a checkpoint records besides weights: where training stands.</summary>
public sealed record GanTrainingState(int Step, int Seed, long ImagesSeen, double TrainingSeconds, DateTimeOffset SavedAt);

/// <summary>One logged step (a line of log.jsonl) and what progress reporting carries.</summary>
public sealed record GanProgress(
    int Step, int TotalSteps, double DiscriminatorLoss, double GeneratorLoss,
    double RealScore, double FakeScore, double ImagesPerSecond, double ElapsedSeconds);

/// <summary>How a run ended.</summary>
public sealed record GanRunResult(int Step, int TotalSteps, bool Completed, int ResumedFrom, double ImagesPerSecond,
                                  double TrainingSeconds, string ModelFolder, IReadOnlyList<string> Checkpoints);
