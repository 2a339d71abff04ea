using Fergan.Data;
using SkiaSharp;

namespace Fergan.Vision.Annotation;

/// <summary>One colour per emotion, shared by annotated photos and the web page (as CSS hex), readable on white text.</summary>
public static class EmotionColors
{
    private static readonly SKColor[] Colors =
    [
        new(0xC6, 0x28, 0x28), // angry: red
        new(0x55, 0x8B, 0x2F), // disgust: olive green
        new(0x6A, 0x1B, 0x9A), // fear: purple
        new(0xEF, 0x6C, 0x00), // happy: orange
        new(0x15, 0x65, 0xC0), // sad: blue
        new(0x00, 0x83, 0x8F), // surprise: teal
        new(0x54, 0x6E, 0x7A), // neutral: grey-blue
    ];

    public static SKColor Of(Emotion emotion) => Colors[(int)emotion];

    public static string Hex(Emotion emotion) => $"#{Of(emotion).Red:X2}{Of(emotion).Green:X2}{Of(emotion).Blue:X2}";
}
