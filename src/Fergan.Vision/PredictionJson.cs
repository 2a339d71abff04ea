using System.Text.Json.Serialization;
using Fergan.Data;

namespace Fergan.Vision;

/// <summary>
/// The JSON shape of predictions, shared by `fergan predict --json` (an "images" array) and `POST /api/predict`
/// (one image): <c>{"path", "width", "height", "faces": [{"box": [x, y, w, h], "score", "keypoints": [[x, y], ...],
/// "emotion", "probabilities": {"angry": ...}, "top": [...]}]}</c>. Coordinates are photo pixels, rounded to 0.1.
/// </summary>
public sealed record ImageJson(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("width")] int? Width,
    [property: JsonPropertyName("height")] int? Height,
    [property: JsonPropertyName("faces")] IReadOnlyList<FaceJson> Faces,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
{
    public static ImageJson From(string? path, PhotoPrediction prediction) =>
        new(path, prediction.Width, prediction.Height, prediction.Faces.Select(FaceJson.From).ToList());

    public static ImageJson Failed(string? path, string error) => new(path, null, null, [], error);
}

public sealed record FaceJson(
    [property: JsonPropertyName("box")] float[] Box,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("keypoints")] float[][] Keypoints,
    [property: JsonPropertyName("emotion")] string Emotion,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, float> Probabilities,
    [property: JsonPropertyName("top")] IReadOnlyList<string> Top)
{
    public static FaceJson From(FacePrediction face) => new(
        [Round(face.Box.X), Round(face.Box.Y), Round(face.Box.Width), Round(face.Box.Height)],
        MathF.Round(face.DetectionScore, 4),
        face.Keypoints.Select(p => new[] { Round(p.X), Round(p.Y) }).ToArray(),
        face.Emotion.Name(),
        Emotions.All.ToDictionary(e => e.Name(), e => MathF.Round(face.Probabilities.GetValueOrDefault(e), 4)),
        face.Top.Select(e => e.Name()).ToList());

    private static float Round(float value) => MathF.Round(value, 1);
}
