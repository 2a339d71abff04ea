using System.Text.Json;
using Fergan.Vision.Annotation;
using SkiaSharp;

namespace Fergan.Vision.Tests;

/// <summary>The bundled sample photos, their hand-counted faces, and photos built in code for edge cases.</summary>
internal static class TestPhotos
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "photos");

    public static string Path1 => Path.Combine(Folder, "sample1.jpg");

    public static IReadOnlyDictionary<string, int> FaceCounts { get; } =
        JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(Folder, "faces.json")))!;

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        PhotoAnnotator.Encode(bitmap, format);

    public static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(color);
        return bitmap;
    }
}
