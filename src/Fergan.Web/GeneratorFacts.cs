using System.Text.Json;
using System.Text.Json.Nodes;
using Fergan.Data;

namespace Fergan.Web;

/// <summary>
/// GET /api/gan: what the generator the server draws from is and how well it was measured to follow the requested
/// emotion, read from its card (generator.json beside the ONNX export). The GAN page states these instead of a fixed
/// sentence, which had gone stale when a better generator was bundled. The web app has no TorchSharp, so the card is
/// read as plain JSON; a folder without a card, or a card without metrics, gives nulls and "measured": false.
/// </summary>
internal static class GeneratorFacts
{
    public const string CardFile = "generator.json";

    public static JsonObject Read(string folder)
    {
        var path = Path.Combine(folder, CardFile);
        JsonNode? card = null;
        if (File.Exists(path))
        {
            try
            {
                card = JsonNode.Parse(File.ReadAllText(path));
            }
            catch (JsonException e)
            {
                throw new FerganException($"{path} is not valid JSON: {e.Message}");
            }
        }
        var metrics = card?["metrics"] as JsonObject;
        double? Metric(string name) => metrics?[name] is JsonValue v && v.TryGetValue(out double d) ? d : null;

        var perEmotion = new JsonObject();
        foreach (var emotion in Emotions.All)
        {
            perEmotion[emotion.Name()] = Metric(GeneratorMetricNames.LabelFidelityOf(emotion.Name()));
        }
        return new JsonObject
        {
            ["folder"] = folder,
            ["step"] = card?["step"]?.DeepClone(),
            ["seed"] = card?["seed"]?.DeepClone(),
            ["data"] = card?["data"]?.DeepClone(),
            ["measured"] = Metric(GeneratorMetricNames.LabelFidelity) is not null,
            // Share of generated faces the reference classifier reads as the requested emotion.
            ["label_fidelity"] = Metric(GeneratorMetricNames.LabelFidelity),
            ["label_fidelity_per_emotion"] = perEmotion,
            // Accuracy on real PublicTest of a classifier trained on generated faces only.
            ["classification_accuracy_score"] = Metric(GeneratorMetricNames.ClassificationAccuracyScore),
            ["fid"] = Metric(GeneratorMetricNames.Fid),
            ["samples_per_class"] = Metric(GeneratorMetricNames.SamplesPerClass) is { } n ? (int)n : null,
        };
    }
}
