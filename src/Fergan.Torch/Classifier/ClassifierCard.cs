using System.Text.Json;
using Fergan.Data;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Soups;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier;

/// <summary>
/// Validation scores recorded with a model: the split it was selected on and the scores there.
/// <paramref name="AveragedFromEpoch"/>: set when the model is the weight average of epochs AveragedFromEpoch to
/// <paramref name="Epoch"/> (stochastic weight averaging); epoch 0 is the weights a fine-tuning run started from.
/// </summary>
public sealed record SelectionScores(string Split, int Epoch, double Accuracy, double MacroF1, double Loss, int? AveragedFromEpoch = null);

/// <summary>
/// classifier.json: what a trained classifier is (architecture, classes) and where it came from (data, strategy,
/// seed, command, options, the validation scores it was selected by, and test scores once evaluated).
/// </summary>
public sealed record ClassifierCard
{
    public const string Format = "fergan-classifier/1";
    public const string CardFile = "classifier.json";
    public const string WeightsFile = "classifier.bin";

    public string FormatVersion { get; init; } = Format;
    public required ClassifierArchitecture Architecture { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public string? Data { get; init; }
    public BalanceStrategy Balance { get; init; }
    public int Seed { get; init; }
    public string? Command { get; init; }
    public SelectionScores? Selection { get; init; }

    /// <summary>
    /// float32 as trained, or float16 for a model stored at half the size (bundled models): loading converts back to
    /// float32, and the scores change in the fourth decimal at most.
    /// </summary>
    public string WeightsPrecision { get; init; } = "float32";

    /// <summary>
    /// Where the weights are, relative to the card's folder, when not beside it (the reference network shares the
    /// bundled classifier's file instead of holding a second copy); checked against <see cref="WeightsSha256"/>.
    /// </summary>
    public string? WeightsPath { get; init; }

    /// <summary>SHA-256 of the weights file (hex), when the card pins it.</summary>
    public string? WeightsSha256 { get; init; }
    public ClassifierOptions? Options { get; init; }

    /// <summary>The classifiers this one was distilled from (see <see cref="ClassifierOptions.Teachers"/>), pinned by their weights' SHA-256.</summary>
    public IReadOnlyList<TeacherRecord>? Teachers { get; init; }

    /// <summary>The saved teacher predictions this one was distilled from (see <see cref="ClassifierOptions.TeacherProbabilities"/>), pinned by the file's SHA-256.</summary>
    public TeacherPredictionsRecord? TeacherProbabilities { get; init; }

    /// <summary>The classifiers this one averages (`fergan soup`), pinned by their weights' SHA-256, with every candidate tried.</summary>
    public SoupRecord? Soup { get; init; }

    /// <summary>Test-split scores written by `fergan evaluate --record` (name -> metrics), e.g. "PrivateTest".</summary>
    public IReadOnlyDictionary<string, JsonElement>? Evaluations { get; init; }

    public void Write(string folder) =>
        RunDirectory.WriteAtomically(Path.Combine(folder, CardFile), temp => File.WriteAllText(temp, JsonSerializer.Serialize(this, RunDirectory.Json)));

    public static ClassifierCard Read(string folder)
    {
        var path = Path.Combine(folder, CardFile);
        if (!File.Exists(path))
        {
            var instead = File.Exists(Path.Combine(folder, Gan.Sampling.GeneratorCard.CardFile)) ? " (it holds a generator: give a classifier folder)" : "";
            throw new FerganException($"{folder} is not a Fergan classifier: it has no {CardFile}{instead}.");
        }
        ClassifierCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ClassifierCard>(File.ReadAllText(path), RunDirectory.Json);
        }
        catch (JsonException e)
        {
            throw new FerganException($"{path} is not a valid classifier card: {e.Message}");
        }
        if (card is null || card.FormatVersion != Format)
        {
            throw new FerganException($"{path} has format {card?.FormatVersion ?? "(none)"}; this Fergan reads {Format}.");
        }
        if (!card.Classes.SequenceEqual(Emotions.Names))
        {
            throw new FerganException($"{path} lists classes {string.Join(",", card.Classes)}; Fergan's are {string.Join(",", Emotions.Names)}.");
        }
        return card;
    }
}
