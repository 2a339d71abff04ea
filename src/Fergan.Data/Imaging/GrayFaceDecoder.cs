using SkiaSharp;

namespace Fergan.Data.Imaging;

/// <summary>
/// Decodes an image file into a 48x48 gray face the way FER2013 stores them: colour becomes luma
/// (ITU-R BT.601 weights, as PIL's <c>convert("L")</c>), alpha is ignored, a non-square image is
/// centre-cropped to a square, and any other size is resampled to 48x48. Each such change is reported.
/// </summary>
public static class GrayFaceDecoder
{
    /// <summary>File extensions treated as images in folder datasets.</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>Decoded pixels plus the conversions that were needed (empty when the file was already 48x48 gray).</summary>
    public readonly record struct Decoded(byte[] Pixels, IReadOnlyList<string> Conversions);

    /// <summary>Decodes <paramref name="bytes"/>; returns null with a reason when they are not a readable image.</summary>
    public static Decoded? TryDecode(ReadOnlySpan<byte> bytes, out string? problem)
    {
        problem = null;
        if (bytes.IsEmpty)
        {
            problem = "the file is empty (0 bytes).";
            return null;
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            problem = "not a readable image (unknown or corrupt format).";
            return null;
        }
        var info = codec.Info;
        var conversions = new List<string>();
        var isGray = info.ColorType == SKColorType.Gray8;
        if (!isGray)
        {
            conversions.Add("colour to gray");
        }
        using var bitmap = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            problem = $"the image data cannot be decoded ({result}).";
            return null;
        }
        if (result == SKCodecResult.IncompleteInput)
        {
            problem = "the image is truncated (incomplete data).";
            return null;
        }
        var square = CropToSquare(bitmap, conversions);
        try
        {
            var sized = ResizeTo48(square, conversions);
            try
            {
                return new Decoded(Luma(sized), conversions);
            }
            finally
            {
                if (!ReferenceEquals(sized, square))
                {
                    sized.Dispose();
                }
            }
        }
        finally
        {
            if (!ReferenceEquals(square, bitmap))
            {
                square.Dispose();
            }
        }
    }

    private static SKBitmap CropToSquare(SKBitmap bitmap, List<string> conversions)
    {
        if (bitmap.Width == bitmap.Height)
        {
            return bitmap;
        }
        var side = Math.Min(bitmap.Width, bitmap.Height);
        var left = (bitmap.Width - side) / 2;
        var top = (bitmap.Height - side) / 2;
        var cropped = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (!bitmap.ExtractSubset(cropped, new SKRectI(left, top, left + side, top + side)))
        {
            throw new InvalidOperationException("Skia could not crop a decoded bitmap.");
        }
        conversions.Add($"centre-cropped {bitmap.Width}x{bitmap.Height} to square");
        // ExtractSubset shares pixels with the source; copy so the source can be disposed independently.
        var copy = cropped.Copy();
        cropped.Dispose();
        return copy;
    }

    private static SKBitmap ResizeTo48(SKBitmap bitmap, List<string> conversions)
    {
        if (bitmap.Width == FaceImage.Size && bitmap.Height == FaceImage.Size)
        {
            return bitmap;
        }
        conversions.Add($"resized {bitmap.Width}x{bitmap.Height} to {FaceImage.Size}x{FaceImage.Size}");
        var target = new SKImageInfo(FaceImage.Size, FaceImage.Size, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Mipmapped linear sampling avoids aliasing when shrinking large photos.
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        return bitmap.Resize(target, sampling) ?? throw new InvalidOperationException("Skia could not resize a decoded bitmap.");
    }

    /// <summary>ITU-R BT.601 luma of an RGBA8888 bitmap, row-major (FER2013's colour-to-gray conversion).</summary>
    public static byte[] Luma(SKBitmap bitmap)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888)
        {
            throw new ArgumentException($"expected an RGBA8888 bitmap, got {bitmap.ColorType}.", nameof(bitmap));
        }
        var rgba = bitmap.GetPixelSpan();
        var gray = new byte[bitmap.Width * bitmap.Height];
        for (var i = 0; i < gray.Length; i++)
        {
            var r = rgba[4 * i];
            var g = rgba[4 * i + 1];
            var b = rgba[4 * i + 2];
            gray[i] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
        }
        return gray;
    }

    /// <summary>Encodes a 48x48 gray face as PNG (used to write image-folder datasets and fixtures).</summary>
    public static byte[] EncodePng(ReadOnlySpan<byte> pixels, int width = FaceImage.Size, int height = FaceImage.Size) =>
        Encode(pixels, width, height, SKEncodedImageFormat.Png, 100);

    /// <summary>Encodes a 48x48 gray face as JPEG at <paramref name="quality"/> (1-100): lossy, as photos are stored.</summary>
    public static byte[] EncodeJpeg(ReadOnlySpan<byte> pixels, int quality) =>
        Encode(pixels, FaceImage.Size, FaceImage.Size, SKEncodedImageFormat.Jpeg, quality);

    private static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, SKEncodedImageFormat format, int quality)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        pixels.CopyTo(bitmap.GetPixelSpan());
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
