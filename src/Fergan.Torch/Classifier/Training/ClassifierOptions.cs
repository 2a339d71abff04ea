using System.Text.Json.Serialization;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Training;

/// <summary>Named starting points for <see cref="ClassifierOptions"/>.</summary>
public enum ClassifierProfile
{
    /// <summary>Minutes on 2 CPU cores: a narrow VGG, few epochs. For trying things out, not for results.</summary>
    Quick,

    /// <summary>The real configuration, sized for a GPU: the 9.4M-parameter VGG, 60 epochs, early stopping.</summary>
    Full,
}

/// <summary>How the trainer answers FER2013's class imbalance.</summary>
public enum BalanceStrategy
{
    /// <summary>Train on the data as it is.</summary>
    None,

    /// <summary>Drop faces of the large classes down to a cap per class (the seed report's trimming).</summary>
    Cap,

    /// <summary>Draw training faces with every emotion equally likely (repeats the rare ones).</summary>
    Oversample,

    /// <summary>Weight the loss by inverse class frequency.</summary>
    Weights,

    /// <summary>Mix faces from a class-conditional generator into every batch, mostly of the rare emotions.</summary>
    Gan,
}

/// <summary>Which emotions the generated part of a batch is drawn for, under <see cref="BalanceStrategy.Gan"/>.</summary>
public enum SyntheticClassMix
{
    /// <summary>Fill every emotion up to an equal share of the whole batch, given what the real part brings: the batch is balanced.</summary>
    Fill,

    /// <summary>
    /// In the real part's proportions. A control for <see cref="Fill"/>: the batch keeps the real prior, and being
    /// generated says nothing about a face's emotion, so a classifier cannot learn "generated, so rare".
    /// </summary>
    Proportional,
}

/// <summary>
/// Random, label-preserving transformations of training faces, applied per batch on the device:
/// rotation, scaling, shift, horizontal flip (one affine resampling), optionally light and sensor changes, then
/// random erasing.
/// </summary>
public sealed record ClassifierAugment
{
    public double MaxRotationDegrees { get; init; } = 10;
    public double MaxScale { get; init; } = 0.1;

    /// <summary>Largest shift as a fraction of the image side (0.1 = 4.8 px).</summary>
    public double MaxShift { get; init; } = 0.1;

    public bool Flip { get; init; } = true;

    /// <summary>Chance that a face gets one random rectangle (2-20% of its area) replaced by noise (Zhong et al. 2020).</summary>
    public double ErasingProbability { get; init; } = 0.5;

    /// <summary>
    /// Chance that a face also gets light and sensor changes: each of dimmer or brighter exposure with a gamma curve,
    /// lost contrast, blur and Gaussian noise, with probability 1/2 each, at random strengths. Off (0) by default:
    /// the profiles' results were measured without it. It aims at the robustness gaps `evaluate --corruptions`
    /// measures (low light, noise); it shares those families (not their exact settings) with that test.
    /// </summary>
    public double PhotometricProbability { get; init; }

    public static ClassifierAugment Off => new() { MaxRotationDegrees = 0, MaxScale = 0, MaxShift = 0, Flip = false, ErasingProbability = 0, PhotometricProbability = 0 };
}

/// <summary>
/// Everything that defines a classifier training run. Saved as options.json in the run folder and in the model card.
/// </summary>
public sealed record ClassifierOptions
{
    public ClassifierArchitecture Architecture { get; init; } = new(ClassifierKind.Vgg, 16);
    public int Epochs { get; init; } = 8;
    public int BatchSize { get; init; } = 64;

    /// <summary>SGD with Nesterov momentum: the recipe of the strongest published FER2013 VGG models.</summary>
    public double LearningRate { get; init; } = 0.01;

    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Linear warm-up over the first epoch, then cosine decay to zero at the last epoch, per step.</summary>
    public double WarmupEpochs { get; init; } = 1;

    /// <summary>FER2013's labels are noisy (FER+ relabelling disagrees with a third of them): soften the targets.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    public ClassifierAugment Augment { get; init; } = new();
    public BalanceStrategy Balance { get; init; } = BalanceStrategy.None;

    /// <summary>Cap per class for <see cref="BalanceStrategy.Cap"/>; null: the median class size of the Training split.</summary>
    public int? CapPerClass { get; init; }

    /// <summary>Fraction of each batch drawn from the generator under <see cref="BalanceStrategy.Gan"/>.</summary>
    public double SyntheticRatio { get; init; } = 0.3;

    /// <summary>Which emotions the generated faces are drawn for under <see cref="BalanceStrategy.Gan"/>.</summary>
    public SyntheticClassMix SyntheticClasses { get; init; } = SyntheticClassMix.Fill;

    /// <summary>
    /// Under <see cref="BalanceStrategy.Gan"/>, draw the real part of each batch with every emotion equally likely too
    /// (as <see cref="BalanceStrategy.Oversample"/> does), so the real faces of the rare emotions are seen as often as
    /// the generated ones.
    /// </summary>
    public bool OversampleReal { get; init; }

    /// <summary>Generator folder for <see cref="BalanceStrategy.Gan"/> (generator.json + generator.bin).</summary>
    public string? GanFolder { get; init; }

    /// <summary>Truncation of the generator's noise for synthetic faces (infinity: none).</summary>
    public double GanTruncation { get; init; } = double.PositiveInfinity;

    /// <summary>Stop after this many epochs without a better validation accuracy (0: never stop early).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Select on PublicTest without its exact or near copies of Training faces. On FER2013 they are 618 of its 3,589
    /// faces, and a model reads them far better than the rest (the bundled one: 0.880 against 0.665), so selecting on
    /// all of PublicTest rewards epochs that remember Training faces. Off by default: the results so far were
    /// selected on all of it.
    /// </summary>
    public bool SelectWithoutTrainingCopies { get; init; }

    /// <summary>
    /// Classifier folders to distil from (<see cref="DistillationTeachers"/>): the student also learns their averaged
    /// softened predictions on each augmented batch. Empty: plain training on the labels.
    /// </summary>
    public IReadOnlyList<string> Teachers { get; init; } = [];

    /// <summary>
    /// Saved teacher predictions to distil from instead of live teachers (<see cref="TeacherPredictions"/>): the CSV
    /// `fergan evaluate --split Training --probabilities` writes, with one or more models and TTA if wanted. The same
    /// weight and temperature apply. Null: none.
    /// </summary>
    public string? TeacherProbabilities { get; init; }

    /// <summary>Whether the student learns from teachers, live or saved.</summary>
    [JsonIgnore]
    public bool Distils => Teachers.Count > 0 || TeacherProbabilities is not null;

    /// <summary>
    /// Share of the teachers' term in the loss: (1 - w) x label loss + w x distillation loss. 0.5 weighs the labels
    /// and the teachers alike; not tuned on FER2013 yet.
    /// </summary>
    public double DistillWeight { get; init; } = 0.5;

    /// <summary>
    /// Softmax temperature of the teachers and the student in the distillation term (2: the runner-up emotions count,
    /// the winner still leads). The term is multiplied by T², as Hinton et al. do, so early in training its gradient
    /// is about T times a label loss's: with weight 1 and T = 2 a learning rate that suits labels can be too high
    /// (measured on the synthetic set: 0.05 diverged, 0.02 learnt).
    /// </summary>
    public double DistillTemperature { get; init; } = 2;

    /// <summary>
    /// A trained classifier's folder to start from instead of random weights (fine-tuning; same architecture). Its
    /// PublicTest score is where selection starts: the run's model is never worse there than the one it started from.
    /// </summary>
    public string? InitialWeights { get; init; }

    /// <summary>
    /// Epochs of stochastic weight averaging after the <see cref="Epochs"/> of the main schedule (0: none): each at the
    /// constant <see cref="SwaLearningRate"/>, the weights after each one averaged (<see cref="WeightAverage"/>). The
    /// average, with its batch-norm statistics measured again, becomes the model if PublicTest prefers it.
    /// </summary>
    public int SwaEpochs { get; init; }

    /// <summary>Constant learning rate of the averaging epochs; null: a fifth of <see cref="LearningRate"/> (Izmailov et al.'s ratio for VGG-16 on CIFAR).</summary>
    public double? SwaLearningRate { get; init; }

    /// <summary>
    /// These options with <paramref name="swaEpochs"/> averaging epochs and the given early-stopping patience (null:
    /// keep the profile's, unless averaging, which turns it off: a run stopped early would never reach its averaging
    /// epochs; an explicit patience stays, for <see cref="Validate"/> to refuse). What `train` and experiment specs share.
    /// </summary>
    public ClassifierOptions WithAveraging(int swaEpochs, double? swaLearningRate, int? patience) => this with
    {
        SwaEpochs = swaEpochs,
        SwaLearningRate = swaLearningRate,
        EarlyStoppingPatience = patience ?? (swaEpochs > 0 ? 0 : EarlyStoppingPatience),
    };

    /// <summary>Main-schedule epochs plus averaging epochs: how far a run goes.</summary>
    [JsonIgnore]
    public int TotalEpochs => Epochs + SwaEpochs;

    /// <summary>The averaging epochs' learning rate, default applied.</summary>
    [JsonIgnore]
    public double ResolvedSwaLearningRate => SwaLearningRate ?? LearningRate / 5;

    public int KeepCheckpoints { get; init; } = 2;
    public int Seed { get; init; } = 2013;
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Number format of the training steps (<see cref="ComputePrecision.Bf16"/>: mixed precision for GPUs with bfloat16
    /// units). Validation, and so model selection, always computes in float32, as `evaluate` does.
    /// </summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>Run the network in the channels-last memory layout (faster convolutions on GPUs; same values).</summary>
    public bool ChannelsLast { get; init; }

    public static ClassifierOptions For(ClassifierProfile profile) => profile switch
    {
        ClassifierProfile.Quick => new ClassifierOptions(),
        ClassifierProfile.Full => new ClassifierOptions
        {
            Architecture = ClassifierArchitecture.Vgg64,
            Epochs = 60,
            BatchSize = 128,
            LearningRate = 0.02, // linear scaling of 0.01 at batch 64
            EarlyStoppingPatience = 15,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new OptionProblems(Architecture.Validate());
        errors.Check(Epochs >= 0, $"epochs must not be negative (got {Epochs})");
        errors.Check(SwaEpochs >= 0, $"averaging epochs must not be negative (got {SwaEpochs})");
        errors.Check(Epochs + SwaEpochs >= 1, "train for at least one epoch (main schedule or averaging)");
        errors.Check(SwaLearningRate is null or > 0, $"the averaging learning rate must be positive (got {SwaLearningRate})");
        errors.Check(SwaLearningRate is null || SwaEpochs > 0, "an averaging learning rate needs averaging epochs");
        errors.Check(SwaEpochs == 0 || EarlyStoppingPatience == 0, "early stopping (patience) and weight averaging do not go together: a run stopped early would never reach its averaging epochs; set patience to 0");
        errors.Check(InitialWeights is null || !string.IsNullOrWhiteSpace(InitialWeights), "the initial-weights folder is empty");
        errors.Check(BatchSize >= 2, $"batch size must be at least 2 (got {BatchSize})");
        errors.Check(LearningRate > 0, $"learning rate must be positive (got {LearningRate})");
        errors.Check(Momentum is >= 0 and < 1, $"momentum must be in [0, 1) (got {Momentum})");
        errors.Check(WeightDecay >= 0, $"weight decay must not be negative (got {WeightDecay})");
        errors.Check(LabelSmoothing is >= 0 and < 1, $"label smoothing must be in [0, 1) (got {LabelSmoothing})");
        errors.Check(Augment.PhotometricProbability is >= 0 and <= 1, $"photometric augmentation probability must be in [0, 1] (got {Augment.PhotometricProbability})");
        errors.Check(SyntheticRatio is > 0 and < 1, $"synthetic ratio must be in (0, 1) (got {SyntheticRatio})");
        errors.Check(CapPerClass is null or >= 1, $"cap per class must be at least 1 (got {CapPerClass})");
        errors.Check(Balance != BalanceStrategy.Gan || GanFolder is not null, "the gan strategy needs a generator (--gan <dir>)");
        errors.Check(Balance == BalanceStrategy.Gan || (SyntheticClasses == SyntheticClassMix.Fill && !OversampleReal),
            "synthetic classes and oversampling the real faces apply to the gan strategy only");
        errors.Check(EarlyStoppingPatience >= 0, "early-stopping patience must not be negative");
        errors.Check(KeepCheckpoints >= 1, "keep at least one checkpoint");
        errors.Check(DistillWeight is >= 0 and <= 1, $"distillation weight must be in [0, 1] (got {DistillWeight})");
        errors.Check(DistillTemperature > 0 && double.IsFinite(DistillTemperature), $"distillation temperature must be positive (got {DistillTemperature})");
        errors.Check(Teachers.All(t => !string.IsNullOrWhiteSpace(t)), "a teacher folder is empty");
        errors.Check(TeacherProbabilities is null || !string.IsNullOrWhiteSpace(TeacherProbabilities), "the teacher probabilities file is empty");
        errors.Check(Teachers.Count == 0 || TeacherProbabilities is null,
            "distil from teacher folders or from saved teacher probabilities, not both (`fergan evaluate --split Training --probabilities` with several models saves their ensemble's predictions)");
        return errors;
    }
}
