using System.Text.Json;
using System.Text.Json.Serialization;
using Fergan.Data;
using Fergan.Torch.Gan.Evaluation;
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

    /// <summary>The label fidelity below which a generator's faces make poor labelled training faces: issue 3's target.</summary>
    public const double MinimumLabelFidelity = 0.8;

    /// <summary>Label fidelity the card records (`gan evaluate --record`, or bundling), or null where it was never measured.</summary>
    [JsonIgnore]
    public double? LabelFidelity => Metrics.TryGetValue(GeneratorMetricNames.LabelFidelity, out var value) ? value : null;

    /// <summary>
    /// Why this generator's faces may be unfit as labelled training faces, or null where its measured label fidelity
    /// reaches <see cref="MinimumLabelFidelity"/>. Generated faces carry the emotion they were asked for as their label,
    /// so a generator that ignores the request (an unguided one reads at about chance, 0.15) adds mislabelled faces.
    /// </summary>
    public string? LabelCaution(string folder) => LabelFidelity switch
    {
        null => $"the label fidelity of {folder} is not measured (`fergan gan evaluate --model {folder} --record` measures and records it): " +
                "its faces are labelled with the emotion asked for, which a generator trained without a guide or auxiliary head ignores.",
        < MinimumLabelFidelity and var fidelity => $"the label fidelity of {folder} is {fidelity:0.00}: the reference network reads the requested emotion in " +
                $"{fidelity:P0} of its faces, so about {1 - fidelity:P0} of them would be mislabelled training faces.",
        _ => null,
    };

    /// <summary>This card with the metrics of an evaluation of its generator (what `gan evaluate --record` writes).</summary>
    public GeneratorCard WithMetrics(GanEvaluationReport report)
    {
        if (report.Step != Step)
        {
            throw new FerganException($"the evaluation measured step {report.Step}, but the generator is step {Step}.");
        }
        return this with { Metrics = report.CardMetrics() };
    }

    public void Write(string folder) =>
        RunDirectory.WriteAtomically(Path.Combine(folder, CardFile), temp => File.WriteAllText(temp, JsonSerializer.Serialize(this, RunDirectory.Json)));
}
