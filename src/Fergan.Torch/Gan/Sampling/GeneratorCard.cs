using System.Text.Json;
using Fergan.Data;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Training;
using Fergan.Torch.Training;

namespace Fergan.Torch.Gan.Sampling;

/// <summary>
/// generator.json: what a generator is (architecture, classes in order, image size), how it was made
/// (data, steps, seed, options, command) and how good it is (metrics, filled in by evaluation).
/// </summary>
public sealed record GeneratorCard
{
    public const string CurrentFormat = "fergan-generator/1";
    public const string CardFile = "generator.json";
    public const string WeightsFile = "generator.bin";

    public string Format { get; init; } = CurrentFormat;
    public required GanArchitecture Architecture { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public required int Step { get; init; }
    public required int Seed { get; init; }
    public required string Data { get; init; }
    public string? Command { get; init; }
    public GanOptions? Options { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// float32 as trained, or float16 for a generator stored at half the size (the bundled one): loading converts back
    /// to float32, so sampling computes the same way either way.
    /// </summary>
    public string WeightsPrecision { get; init; } = "float32";
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    public static GeneratorCard Read(string folder)
    {
        var path = Path.Combine(folder, CardFile);
        if (!File.Exists(path))
        {
            var instead = File.Exists(Path.Combine(folder, Classifier.ClassifierCard.CardFile)) ? "it holds a classifier, not a generator" : "train one with `fergan gan train`";
            throw new FerganException($"{folder} is not a Fergan generator: {CardFile} is missing ({instead}).");
        }
        GeneratorCard card;
        try
        {
            card = JsonSerializer.Deserialize<GeneratorCard>(File.ReadAllText(path), RunDirectory.Json)
                   ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new FerganException($"{path} is damaged: {e.Message}");
        }
        if (card.Format != CurrentFormat)
        {
            throw new FerganException($"{path} has format '{card.Format}'; this Fergan reads '{CurrentFormat}'.");
        }
        if (!card.Classes.SequenceEqual(Emotions.Names) || card.Architecture.Classes != Emotions.Count)
        {
            throw new FerganException($"{path} was trained for the classes [{string.Join(", ", card.Classes)}], not FER2013's [{string.Join(", ", Emotions.Names)}].");
        }
        if (card.WeightsPrecision is not (Tensors.StoredWeights.Float32 or Tensors.StoredWeights.Float16))
        {
            throw new FerganException($"{path} gives weights precision '{card.WeightsPrecision}'; Fergan reads float32 or float16.");
        }
        var problems = card.Architecture.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException($"{path} describes a generator Fergan cannot build: {string.Join("; ", problems)}.");
        }
        return card;
    }

    public void Write(string folder) =>
        RunDirectory.WriteAtomically(Path.Combine(folder, CardFile), temp => File.WriteAllText(temp, JsonSerializer.Serialize(this, RunDirectory.Json)));
}
