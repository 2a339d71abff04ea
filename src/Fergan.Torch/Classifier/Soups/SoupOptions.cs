using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Soups;

/// <summary>How the ingredients are combined: greedily (each joins only if PublicTest does not fall) or all of them.</summary>
public enum SoupRecipe
{
    Greedy,
    Uniform,
}

/// <summary>Options of <see cref="ClassifierSoup.Cook"/>; the CLI's `fergan soup` flags have the same names.</summary>
public sealed record SoupOptions
{
    /// <summary>The ingredients: classifier folders of one architecture, fine-tuned from the same trained model.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    public SoupRecipe Recipe { get; init; } = SoupRecipe.Greedy;

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
        return errors;
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

/// <summary>How a soup was made, stored in its card (<see cref="ClassifierCard.Soup"/>).</summary>
public sealed record SoupRecord(SoupRecipe Recipe, IReadOnlyList<SoupIngredient> Ingredients, IReadOnlyList<SoupTrial> Trials,
    int StatisticsFaces, int StatisticsBatchSize, int Seed);

public sealed record SoupResult(SoupRecord Record, SelectionScores Selection, string Folder);

public enum SoupStage
{
    ScoringIngredient,
    TastingCandidate,
    Done,
}

/// <summary>Progress of a soup: which stage, how many of the steps are done, and the ingredient concerned.</summary>
public sealed record SoupStep(SoupStage Stage, int Done, int Total, string? Folder);
