using SkiaSharp;

namespace Fergan.Data.Imaging;

/// <summary>
/// Renders faces as a labelled grid PNG, one row per emotion (the layout of every sample grid in Fergan:
/// dataset previews now, GAN samples later), scaled up with nearest-neighbour so pixels stay visible.
/// </summary>
public static class FaceGrid
{
    public static byte[] RenderPng(IReadOnlyList<(string Label, IReadOnlyList<byte[]> Faces)> rows, int scale = 2, int columns = 0)
    {
        const int LabelWidth = 90, Gap = 2;
        var cell = FaceImage.Size * scale;
        columns = columns > 0 ? columns : Math.Max(1, rows.Max(r => r.Faces.Count));
        var width = LabelWidth + columns * (cell + Gap);
        var height = Math.Max(1, rows.Count) * (cell + Gap);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(Typefaces.Sans, 14);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var sampling = new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None);
        for (var r = 0; r < rows.Count; r++)
        {
            var top = r * (cell + Gap);
            canvas.DrawText(rows[r].Label, 6, top + cell / 2f + 5, SKTextAlign.Left, font, text);
            for (var c = 0; c < Math.Min(columns, rows[r].Faces.Count); c++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(FaceImage.Size, FaceImage.Size, SKColorType.Gray8, SKAlphaType.Opaque));
                rows[r].Faces[c].AsSpan(0, FaceImage.PixelCount).CopyTo(bitmap.GetPixelSpan());
                using var image = SKImage.FromBitmap(bitmap);
                canvas.DrawImage(image, SKRect.Create(LabelWidth + c * (cell + Gap), top, cell, cell), sampling);
            }
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Up to <paramref name="perClass"/> faces of each emotion from one split, in dataset order.</summary>
    public static byte[] RenderDataset(FaceSet faces, DataSplit split, int perClass = 10, int scale = 2)
    {
        var rows = Emotions.All.Select(e => (
            e.Name(),
            (IReadOnlyList<byte[]>)Enumerable.Range(0, faces.Count)
                .Where(i => faces.Split(i) == split && faces.Label(i) == e)
                .Take(perClass)
                .Select(i => faces.Pixels(i).ToArray())
                .ToList())).ToList();
        return RenderPng(rows, scale, perClass);
    }
}
