using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Soups;

/// <summary>
/// How the ingredients are combined: greedily (each joins only if PublicTest does not fall), all of them in equal
/// shares, or all of them in the shares given (<see cref="SoupOptions.Weights"/>).
/// </summary>
public enum SoupRecipe
{
    Greedy,
    Uniform,
    Weighted,
}

/// <summary>Options of <see cref="ClassifierSoup.Cook"/>; the CLI's `fergan soup` flags have the same names.</summary>
public sealed record SoupOptions
{
    /// <summary>The ingredients: classifier folders of one architecture, fine-tuned from the same trained model.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    public SoupRecipe Recipe { get; init; } = SoupRecipe.Greedy;

    /// <summary>
    /// The weighted recipe's share of each model, in <see cref="Models"/>' order; scaled to sum to one. WiSE-FT's
    /// mixing coefficient: (0.7, 0.3) for a fine-tune and its start keeps more of the fine-tune.
    /// </summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>
    /// Training faces each candidate's batch-norm statistics are measured on (all of Training when it has fewer).
    /// 8,192 gave the bundled vgg-64 its trained PublicTest accuracy back to 0.0003 (see WeightAverage).
    /// </summary>
    public int StatisticsFaces { get; init; } = 8192;

    /// <summary>Batch size of that measurement; default: the first ingredient's training batch size.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Seed of the faces chosen for the statistics and of their augmentation.</summary>
    public int Seed { get; init; } = 2013;

    public string Device { get; init; } = "cpu";

    public IReadOnlyList<string> Validate()
    {
        var errors = new OptionProblems([]);
        errors.Check(Models.Count >= 2, $"a soup needs at least two classifiers (got {Models.Count})");
        errors.Check(Models.All(m => !string.IsNullOrWhiteSpace(m)), "a model folder is empty");
        var twice = Models.Where(m => !string.IsNullOrWhiteSpace(m)).GroupBy(m => Path.TrimEndingDirectorySeparator(Path.GetFullPath(m))).FirstOrDefault(g => g.Count() > 1);
        errors.Check(twice is null, $"{twice?.First()} is given {twice?.Count()} times: give each ingredient once");
        errors.Check(StatisticsFaces >= 2, $"statistics faces must be at least 2 (got {StatisticsFaces})");
        errors.Check(BatchSize is null or >= 2, $"batch size must be at least 2 (got {BatchSize})");
        if (Recipe == SoupRecipe.Weighted)
        {
            errors.Check(Weights is not null, "the weighted recipe needs weights: one share per model");
            errors.Check(Weights is null || Weights.Count == Models.Count, $"give one weight per model ({Weights?.Count} weights for {Models.Count} models)");
            errors.Check(Weights is null || Weights.All(w => double.IsFinite(w) && w > 0),
                $"weights must be positive numbers (got {string.Join(", ", (Weights ?? []).Select(w => w.ToString(System.Globalization.CultureInfo.InvariantCulture)))}); leave a model out instead of giving it no weight");
        }
        else
        {
            errors.Check(Weights is null, $"weights go with the weighted recipe only (the {Recipe.ToString().ToLowerInvariant()} recipe weighs its members equally)");
        }
        return errors;
    }

    /// <summary>Each model's share of the mean: the weights scaled to sum to one; null without weights (equal shares).</summary>
    public IReadOnlyList<double>? Shares()
    {
        var sum = Weights?.Sum() ?? 1;
        return Weights?.Select(w => w / sum).ToList();
    }
}

/// <summary>PublicTest accuracy, macro-F1 and cross-entropy of one network.</summary>
public sealed record SoupScores(double Accuracy, double MacroF1, double Loss);

/// <summary>One ingredient: its folder, its weights' SHA-256, its PublicTest scores alone, and whether the soup kept it.</summary>
public sealed record SoupIngredient(string Folder, string WeightsSha256, SoupScores Alone, bool Kept);

/// <summary>
/// One candidate soup tasted: the ingredient tried (greedy; null for the uniform soup), how many ingredients the
/// candidate averages, its PublicTest scores, and whether it became the soup.
/// </summary>
public sealed record SoupTrial(string? Added, int Ingredients, SoupScores Scores, bool Kept);

/// <summary>
/// How a soup was made, stored in its card (<see cref="ClassifierCard.Soup"/>). Shares: each ingredient's share of the
/// mean, in the ingredients' order (the weighted recipe; null for the others, whose kept ingredients share equally).
/// </summary>
public sealed record SoupRecord(SoupRecipe Recipe, IReadOnlyList<SoupIngredient> Ingredients, IReadOnlyList<SoupTrial> Trials,
    int StatisticsFaces, int StatisticsBatchSize, int Seed, IReadOnlyList<double>? Shares = null);

public sealed record SoupResult(SoupRecord Record, SelectionScores Selection, string Folder);

public enum SoupStage
{
    ScoringIngredient,
    TastingCandidate,
    Done,
}

/// <summary>Progress of a soup: which stage, how many of the steps are done, and the ingredient concerned.</summary>
public sealed record SoupStep(SoupStage Stage, int Done, int Total, string? Folder);
