using SkiaSharp;

namespace Fergan.Tests;

/// <summary>
/// Whether text was drawn into a picture: pixels darker than mid-gray in an area that is white without it (a grid's
/// label column, the strip above a plot's frame). A face or font that draws nothing leaves the area white.
/// </summary>
public static class TextInk
{
    public static int DarkPixels(SKBitmap bitmap, SKRectI area)
    {
        var dark = 0;
        for (var y = Math.Max(0, area.Top); y < Math.Min(area.Bottom, bitmap.Height); y++)
        {
            for (var x = Math.Max(0, area.Left); x < Math.Min(area.Right, bitmap.Width); x++)
            {
                dark += bitmap.GetPixel(x, y).Red < 128 ? 1 : 0;
            }
        }
        return dark;
    }

    public static int DarkPixels(string png, SKRectI area)
    {
        using var bitmap = SKBitmap.Decode(png);
        return DarkPixels(bitmap, area);
    }
}
