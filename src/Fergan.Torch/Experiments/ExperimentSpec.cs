using System.Text.Json;
using Fergan.Data;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Training;

namespace Fergan.Torch.Experiments;

/// <summary>One strategy of a grid and the seeds it is trained with.</summary>
public sealed record ExperimentArm(BalanceStrategy Balance, IReadOnlyList<int> Seeds);

/// <summary>
/// A grid of classifier runs (strategy x seed, one architecture and recipe), read from a JSON file:
/// <code>
/// { "data": "fer2013.csv.gz", "profile": "full", "epochs": 30, "gan": "models/gan",
///   "runs": [ { "balance": "none", "seeds": [1, 2, 3] }, { "balance": "gan", "seeds": [1, 2, 3] } ] }
/// </code>
/// Relative paths are relative to the spec file. Every run is trained with the same recipe; only the strategy and the
/// seed differ, so the comparison isolates the strategy.
/// </summary>
public sealed record ExperimentSpec
{
    public required string Data { get; init; }
    public ClassifierProfile Profile { get; init; } = ClassifierProfile.Quick;
    public ClassifierKind? Arch { get; init; }
    public int? Width { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public int? Patience { get; init; }
    public string? Gan { get; init; }
    public double SyntheticRatio { get; init; } = 0.3;
    public required IReadOnlyList<ExperimentArm> Runs { get; init; }

    /// <summary>The split every model is scored on once, after selection on PublicTest.</summary>
    public DataSplit EvaluateOn { get; init; } = DataSplit.PrivateTest;

    public bool Tta { get; init; }

    public static ExperimentSpec Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FerganException($"experiment spec {path} does not exist.");
        }
        ExperimentSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<ExperimentSpec>(File.ReadAllText(path), RunDirectory.Json);
        }
        catch (JsonException e)
        {
            throw new FerganException($"{path}: not a valid experiment spec ({e.Message}).");
        }
        if (spec is null || spec.Runs.Count == 0 || spec.Runs.Any(r => r.Seeds.Count == 0))
        {
            throw new FerganException($"{path}: the spec needs \"runs\", each with a strategy and at least one seed.");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string p) => p.StartsWith("synthetic", StringComparison.Ordinal) || Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(folder, p));
        return spec with { Data = Resolve(spec.Data), Gan = spec.Gan is null ? null : Resolve(spec.Gan) };
    }

    /// <summary>The training options of one run of the grid.</summary>
    public ClassifierOptions OptionsFor(BalanceStrategy balance, int seed, string device)
    {
        var options = ClassifierOptions.For(Profile);
        return options with
        {
            Architecture = options.Architecture with { Kind = Arch ?? options.Architecture.Kind, Width = Width ?? options.Architecture.Width },
            Epochs = Epochs ?? options.Epochs,
            BatchSize = BatchSize ?? options.BatchSize,
            LearningRate = LearningRate ?? options.LearningRate,
            EarlyStoppingPatience = Patience ?? options.EarlyStoppingPatience,
            Balance = balance,
            GanFolder = balance == BalanceStrategy.Gan ? Gan ?? throw new FerganException("the spec has a gan run but no \"gan\" generator folder.") : null,
            SyntheticRatio = SyntheticRatio,
            Seed = seed,
            Device = device,
        };
    }
}
