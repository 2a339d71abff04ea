using Fergan.Data.Imaging;
using Fergan.Vision.Detection;
using SkiaSharp;

namespace Fergan.Vision.Annotation;

/// <summary>One box to draw: where, the label text under or above it, and the keypoints.</summary>
public sealed record FaceAnnotation(BoxF Box, string Label, IReadOnlyList<PointF> Keypoints, SKColor Color);

/// <summary>Draws labelled face boxes onto a copy of a photo, with line and text sizes that follow the photo's size.</summary>
public static class PhotoAnnotator
{
    public static SKBitmap Draw(SKBitmap photo, IEnumerable<FaceAnnotation> faces)
    {
        var result = photo.Copy();
        using var canvas = new SKCanvas(result);
        var stroke = Math.Max(2f, Math.Max(photo.Width, photo.Height) / 400f);
        foreach (var face in faces)
        {
            using var box = new SKPaint { Color = face.Color, Style = SKPaintStyle.Stroke, StrokeWidth = stroke, IsAntialias = true };
            var rect = SKRect.Create(face.Box.X, face.Box.Y, face.Box.Width, face.Box.Height);
            canvas.DrawRect(rect, box);
            using var dot = new SKPaint { Color = face.Color, Style = SKPaintStyle.Fill, IsAntialias = true };
            foreach (var p in face.Keypoints)
            {
                canvas.DrawCircle(p.X, p.Y, stroke * 1.2f, dot);
            }
            DrawLabel(canvas, face, rect, stroke);
        }
        return result;
    }

    private static void DrawLabel(SKCanvas canvas, FaceAnnotation face, SKRect rect, float stroke)
    {
        // Text scales with the face so labels stay legible on both selfies and crowd shots, within sane bounds.
        using var font = Typefaces.BoldFont(Math.Clamp(rect.Width / 5f, 11f, 48f));
        using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var background = new SKPaint { Color = face.Color, Style = SKPaintStyle.Fill };
        var width = font.MeasureText(face.Label);
        var height = font.Size * 1.25f;
        var top = rect.Top - height - stroke / 2 >= 0 ? rect.Top - height - stroke / 2 : rect.Bottom + stroke / 2;
        var label = SKRect.Create(rect.Left - stroke / 2, top, width + font.Size * 0.5f, height);
        canvas.DrawRect(label, background);
        canvas.DrawText(face.Label, label.Left + font.Size * 0.25f, label.Top + font.Size, SKTextAlign.Left, font, text);
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 90)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
