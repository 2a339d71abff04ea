namespace Fergan.Data;

/// <summary>The seven FER2013 emotions, in FER2013's label order (the CSV's 0-6).</summary>
/// <remarks>Every class count, plot label and model output derives from this enum: no magic 7s.</remarks>
public enum Emotion : byte
{
    Angry = 0,
    Disgust = 1,
    Fear = 2,
    Happy = 3,
    Sad = 4,
    Surprise = 5,
    Neutral = 6,
}

/// <summary>Names and parsing for <see cref="Emotion"/>.</summary>
public static class Emotions
{
    public static int Count { get; } = Enum.GetValues<Emotion>().Length;

    public static IReadOnlyList<Emotion> All { get; } = Enum.GetValues<Emotion>();

    /// <summary>Lower-case names as FER2013 tools print them: angry, disgust, ..., neutral.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(Name).ToArray();

    public static string Name(this Emotion emotion) => emotion.ToString().ToLowerInvariant();

    /// <summary>Parses a name (case-insensitive, a few common synonyms) or a 0-6 index.</summary>
    public static bool TryParse(string text, out Emotion emotion)
    {
        var t = text.Trim().ToLowerInvariant();
        if (int.TryParse(t, out var index) && index >= 0 && index < Count)
        {
            emotion = (Emotion)index;
            return true;
        }
        Emotion? parsed = t switch
        {
            "angry" or "anger" => Emotion.Angry,
            "disgust" or "disgusted" => Emotion.Disgust,
            "fear" or "fearful" or "afraid" => Emotion.Fear,
            "happy" or "happiness" => Emotion.Happy,
            "sad" or "sadness" => Emotion.Sad,
            "surprise" or "surprised" => Emotion.Surprise,
            "neutral" => Emotion.Neutral,
            _ => null,
        };
        emotion = parsed ?? default;
        return parsed.HasValue;
    }

    public static Emotion Parse(string text) =>
        TryParse(text, out var e)
            ? e
            : throw new FerganException($"'{text}' is not an emotion; use one of {string.Join(", ", Names)} or 0-{Count - 1}.");
}
