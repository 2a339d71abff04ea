namespace Fergan.Torch.Gan.Training;

/// <summary>What a checkpoint records besides weights: where training stands.</summary>
public sealed record GanTrainingState(int Step, int Seed, long ImagesSeen, double TrainingSeconds, DateTimeOffset SavedAt);

/// <summary>
/// One logged step (a line of log.jsonl) and what progress reporting carries. The losses are the adversarial ones;
/// with an auxiliary classifier, <see cref="ClassifierLoss"/> is D's head's cross-entropy on real faces and
/// <see cref="ClassifierAccuracy"/> how often it names their emotion (null without one); with a guide,
/// <see cref="GuideAccuracy"/> is how often the guide reads the requested emotion from G's faces.
/// <see cref="LearningRateScale"/> is the factor on both learning rates in the step just taken (see
/// <see cref="GanOptions.DecayStart"/>); logs written before it existed read as 1.
/// </summary>
public sealed record GanProgress(
    int Step, int TotalSteps, double DiscriminatorLoss, double GeneratorLoss,
    double RealScore, double FakeScore, double ImagesPerSecond, double ElapsedSeconds,
    double? ClassifierLoss = null, double? ClassifierAccuracy = null, double? GuideAccuracy = null,
    double LearningRateScale = 1);

/// <summary>How a run ended.</summary>
public sealed record GanRunResult(int Step, int TotalSteps, bool Completed, int ResumedFrom, double ImagesPerSecond,
                                  double TrainingSeconds, string ModelFolder, IReadOnlyList<string> Checkpoints);
