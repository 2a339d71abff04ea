using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Fergan.Data;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Training;

namespace Fergan.Torch.Experiments;

/// <summary>
/// One arm of a grid: a strategy and the seeds it is trained with, and optionally a name and what the arm changes in
/// the recipe (the gan strategy's variants, photometric augmentation), so one grid can compare recipes of one strategy
/// side by side. Its runs are named <c>&lt;name&gt;-seed&lt;N&gt;</c>; the name defaults to the strategy.
/// </summary>
public sealed record ExperimentArm(BalanceStrategy Balance, IReadOnlyList<int> Seeds)
{
    public string? Name { get; init; }
    public SyntheticClassMix? SyntheticClasses { get; init; }
    public bool? OversampleReal { get; init; }
    public double? SyntheticRatio { get; init; }
    public double? Photometric { get; init; }

    /// <summary>Classifier folders to distil from (see <see cref="ClassifierOptions.Teachers"/>); relative to the spec file.</summary>
    public IReadOnlyList<string>? Teachers { get; init; }

    /// <summary>Saved teacher predictions to distil from (see <see cref="ClassifierOptions.TeacherProbabilities"/>); relative to the spec file.</summary>
    public string? TeacherProbabilities { get; init; }

    public double? DistillWeight { get; init; }
    public double? DistillTemperature { get; init; }

    /// <summary>The arm's name in run folders and summaries.</summary>
    [JsonIgnore]
    public string Label => Name ?? Balance.ToString().ToLowerInvariant();
}

/// <summary>
/// A grid of classifier runs (strategy x seed, one architecture and recipe), read from a JSON file:
/// <code>
/// { "data": "fer2013.csv.gz", "profile": "full", "epochs": 30, "gan": "models/gan",
///   "runs": [ { "balance": "none", "seeds": [1, 2, 3] }, { "balance": "gan", "seeds": [1, 2, 3] } ] }
/// </code>
/// Relative paths are relative to the spec file. Every run is trained with the same recipe; only the strategy (with
/// what its arm changes) and the seed differ, so the comparison isolates the strategy. An arm can vary the recipe:
/// <c>{ "name": "gan-oversample", "balance": "gan", "oversample_real": true, "seeds": [1, 2, 3] }</c>
/// (also <c>synthetic_classes</c>, <c>synthetic_ratio</c>, <c>photometric</c>, and distillation:
/// <c>"teachers": ["models/classifier"]</c>, or saved predictions, <c>"teacher_probabilities": "teacher.csv"</c>, with
/// <c>distill_weight</c> and <c>distill_temperature</c>). <c>"precision": "bf16"</c> and
/// <c>"channels_last": true</c> run every step of the grid the fast way on a GPU; <c>"swa_epochs": 10</c> (with
/// <c>swa_learning_rate</c>) adds weight-averaging epochs to every run, as <c>fergan train --swa-epochs</c>.
/// </summary>
public sealed partial record ExperimentSpec
{
    public required string Data { get; init; }
    public ClassifierProfile Profile { get; init; } = ClassifierProfile.Quick;
    public ClassifierKind? Arch { get; init; }
    public int? Width { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public int? Patience { get; init; }

    /// <summary>Weight-averaging epochs after every run's main schedule (<see cref="ClassifierOptions.SwaEpochs"/>); they turn the profile's early stopping off.</summary>
    public int? SwaEpochs { get; init; }

    public double? SwaLearningRate { get; init; }
    public string? Gan { get; init; }
    public double SyntheticRatio { get; init; } = 0.3;
    public required IReadOnlyList<ExperimentArm> Runs { get; init; }

    /// <summary>The split every model is scored on once, after selection on PublicTest.</summary>
    public DataSplit EvaluateOn { get; init; } = DataSplit.PrivateTest;

    public bool Tta { get; init; }

    /// <summary>Number format of every run's training steps (see <see cref="ClassifierOptions.Precision"/>).</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>Every run in the channels-last memory layout (see <see cref="ClassifierOptions.ChannelsLast"/>).</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Every run selected on PublicTest without its copies of Training faces (see <see cref="ClassifierOptions.SelectWithoutTrainingCopies"/>).</summary>
    public bool SelectWithoutCopies { get; init; }

    /// <summary>The run files' JSON settings, refusing fields the spec does not have (a misspelt one would be ignored).</summary>
    private static readonly JsonSerializerOptions StrictJson = new(RunDirectory.Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static ExperimentSpec Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FerganException($"experiment spec {path} does not exist.");
        }
        ExperimentSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<ExperimentSpec>(File.ReadAllText(path), StrictJson);
        }
        catch (JsonException e)
        {
            throw new FerganException($"{path}: not a valid experiment spec: {SpecJsonError.Describe(e, typeof(ExperimentSpec))}.");
        }
        if (spec is null || spec.Runs is null || spec.Runs.Count == 0 || spec.Runs.Any(r => r.Seeds is null || r.Seeds.Count == 0))
        {
            throw new FerganException($"{path}: the spec needs \"runs\", each with a strategy and at least one seed.");
        }
        foreach (var arm in spec.Runs)
        {
            if (!ArmName().IsMatch(arm.Label))
            {
                throw new FerganException($"{path}: run name \"{arm.Label}\" must be lower-case letters, digits and '-', '_' or '.' (it names folders).");
            }
            if (arm.Balance != BalanceStrategy.Gan && (arm.SyntheticClasses is not null || arm.OversampleReal is not null || arm.SyntheticRatio is not null))
            {
                throw new FerganException($"{path}: run \"{arm.Label}\" sets a gan option (synthetic_classes, oversample_real or synthetic_ratio) but its strategy is {arm.Balance.ToString().ToLowerInvariant()}.");
            }
            if ((arm.Teachers is null || arm.Teachers.Count == 0) && arm.TeacherProbabilities is null && (arm.DistillWeight is not null || arm.DistillTemperature is not null))
            {
                throw new FerganException($"{path}: run \"{arm.Label}\" sets distill_weight or distill_temperature but has no teachers or teacher_probabilities.");
            }
        }
        if (spec.Runs.GroupBy(r => r.Label).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new FerganException($"{path}: two runs are named \"{twice.Key}\"; give arms of the same strategy distinct \"name\"s.");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Folder(string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(folder, p));
        string Resolve(string p) => p.StartsWith("synthetic", StringComparison.Ordinal) ? p : Folder(p); // a dataset argument may name the synthetic set
        var resolved = spec with
        {
            Data = Resolve(spec.Data),
            Gan = spec.Gan is null ? null : Folder(spec.Gan),
            Runs = spec.Runs.Select(arm => arm with
            {
                Teachers = arm.Teachers?.Select(Folder).ToList(),
                TeacherProbabilities = arm.TeacherProbabilities is null ? null : Folder(arm.TeacherProbabilities),
            }).ToList(),
        };
        // Refuse a bad recipe now rather than when its run comes up, perhaps hours into the grid.
        foreach (var arm in resolved.Runs)
        {
            var problems = resolved.OptionsFor(arm, arm.Seeds[0], "cpu").Validate();
            if (problems.Count > 0)
            {
                throw new FerganException($"{path}: run \"{arm.Label}\": {string.Join("; ", problems)}.");
            }
        }
        return resolved;
    }

    /// <summary>The training options of one run of the grid.</summary>
    public ClassifierOptions OptionsFor(ExperimentArm arm, int seed, string device)
    {
        var options = ClassifierOptions.For(Profile);
        var balance = arm.Balance;
        return (options with
        {
            Architecture = options.Architecture with { Kind = Arch ?? options.Architecture.Kind, Width = Width ?? options.Architecture.Width },
            Epochs = Epochs ?? options.Epochs,
            BatchSize = BatchSize ?? options.BatchSize,
            LearningRate = LearningRate ?? options.LearningRate,
            Balance = balance,
            GanFolder = balance == BalanceStrategy.Gan ? Gan ?? throw new FerganException("the spec has a gan run but no \"gan\" generator folder.") : null,
            SyntheticRatio = arm.SyntheticRatio ?? SyntheticRatio,
            SyntheticClasses = arm.SyntheticClasses ?? SyntheticClassMix.Fill,
            OversampleReal = arm.OversampleReal ?? false,
            Augment = options.Augment with { PhotometricProbability = arm.Photometric ?? options.Augment.PhotometricProbability },
            Seed = seed,
            Device = device,
            Precision = Precision,
            ChannelsLast = ChannelsLast,
            SelectWithoutTrainingCopies = SelectWithoutCopies,
            Teachers = arm.Teachers ?? [],
            TeacherProbabilities = arm.TeacherProbabilities,
            DistillWeight = arm.DistillWeight ?? options.DistillWeight,
            DistillTemperature = arm.DistillTemperature ?? options.DistillTemperature,
        }).WithAveraging(SwaEpochs ?? 0, SwaLearningRate, Patience);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex ArmName();
}
